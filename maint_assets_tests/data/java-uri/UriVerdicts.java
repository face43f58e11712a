import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;

// For each line of stdin (a key of annotations.json's "subdomains" scope), what
// webarchive-discovery's Annotator.applyAnnotations does with it: URI.create(key).getHost().
public class UriVerdicts {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String key;
        while ((key = in.readLine()) != null) {
            String verdict;
            try {
                verdict = "host " + URI.create(key).getHost();
            } catch (IllegalArgumentException e) {
                verdict = "error " + e.getCause().getClass().getSimpleName();
            }
            System.out.println(key.replace("\t", "\\t") + "\t" + verdict);
        }
    }
}
