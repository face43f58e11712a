-- Static taxonomic groups: level 0 all species, level 1 mutually exclusive groups, level 2
-- application lists (members chosen by the data loader), level 3 unions of other groups.
INSERT INTO public.taxa_groups (id, short, vernacular_fr, vernacular_en, level, source_desc, groups_within)
VALUES
    (1, 'AMPHIBIANS', 'Amphibiens', 'Amphibians', 1, 'Class Amphibia', NULL),
    (2, 'BIRDS', 'Oiseaux', 'Birds', 1, 'Class Aves', NULL),
    (3, 'MAMMALS', 'Mammifères', 'Mammals', 1, 'Class Mammalia', NULL),
    (4, 'REPTILES', 'Reptiles', 'Reptiles', 1, 'Orders Squamata and Testudines', NULL),
    (5, 'FISH', 'Poissons', 'Fish', 1, 'Classes Actinopterygii and Petromyzonti', NULL),
    (6, 'INSECTS', 'Insectes', 'Insects', 1, 'Class Insecta', NULL),
    (7, 'ARACHNIDS', 'Arachnides', 'Arachnids', 1, 'Class Arachnida', NULL),
    (8, 'MOLLUSCS', 'Mollusques', 'Molluscs', 1, 'Phylum Mollusca', NULL),
    (9, 'CRUSTACEANS', 'Crustacés', 'Crustaceans', 1, 'Class Malacostraca', NULL),
    (10, 'OTHER_INVERTEBRATES', 'Autres invertébrés', 'Other invertebrates', 1, 'Annelida, Cnidaria', NULL),
    (11, 'ANGIOSPERMS', 'Angiospermes', 'Flowering plants', 1, 'Classes Magnoliopsida and Liliopsida', NULL),
    (12, 'CONIFERS', 'Conifères', 'Conifers', 1, 'Class Pinopsida', NULL),
    (13, 'FERNS', 'Fougères', 'Ferns', 1, 'Class Polypodiopsida', NULL),
    (14, 'MOSSES', 'Mousses', 'Mosses', 1, 'Phylum Bryophyta', NULL),
    (15, 'LICHENS', 'Lichens', 'Lichens', 1, 'Class Lecanoromycetes', NULL),
    (16, 'FUNGI', 'Champignons', 'Fungi', 1, 'Class Agaricomycetes', NULL),
    (17, 'ALGAE', 'Algues', 'Algae', 1, 'Phyla Chlorophyta and Rhodophyta', NULL),
    (18, 'OTHER_PLANTS', 'Autres plantes', 'Other plants', 1, 'Lycopodiopsida, Marchantiophyta', NULL),
    (19, 'ALL_SPECIES', 'Toutes les espèces', 'All species', 0, 'Observed in Québec', NULL),
    (20, 'INVASIVE_SPECIES', 'Espèces envahissantes', 'Invasive species', 2, 'Invasive species list', NULL),
    (21, 'CDPNQ_SUSC', 'Susceptibles', 'Likely to be designated', 2, 'CDPNQ', NULL),
    (22, 'CDPNQ_VUL', 'Vulnérables', 'Vulnerable', 2, 'CDPNQ', NULL),
    (23, 'CDPNQ_VUL_HARVEST', 'Vulnérables à la récolte', 'Vulnerable to harvest', 2, 'CDPNQ', NULL),
    (24, 'CDPNQ_ENDANGERED', 'Menacées', 'Endangered', 2, 'CDPNQ', NULL),
    (25, 'SENSITIVE', 'Espèces sensibles', 'Sensitive species', 2, 'CDPNQ', NULL),
    (26, 'CDPNQ_STATUS', 'Espèces à statut', 'Species with a status', 3, 'CDPNQ',
        ARRAY['CDPNQ_SUSC', 'CDPNQ_VUL', 'CDPNQ_VUL_HARVEST', 'CDPNQ_ENDANGERED']),
    (30, 'CDPNQ_RISK', 'Espèces en péril', 'Species at risk', 3, 'CDPNQ',
        ARRAY['CDPNQ_VUL', 'CDPNQ_ENDANGERED'])
ON CONFLICT (id) DO NOTHING;
SELECT setval(pg_get_serial_sequence('public.taxa_groups', 'id'),
              greatest((SELECT max(id) FROM public.taxa_groups), 1));

INSERT INTO public.taxa_group_members (short, scientific_name)
SELECT v.short, v.scientific_name FROM (VALUES
    ('AMPHIBIANS', 'Amphibia'), ('BIRDS', 'Aves'), ('MAMMALS', 'Mammalia'),
    ('REPTILES', 'Squamata'), ('REPTILES', 'Testudines'),
    ('FISH', 'Actinopterygii'), ('FISH', 'Petromyzonti'),
    ('INSECTS', 'Insecta'), ('ARACHNIDS', 'Arachnida'), ('MOLLUSCS', 'Mollusca'),
    ('CRUSTACEANS', 'Malacostraca'), ('OTHER_INVERTEBRATES', 'Annelida'),
    ('OTHER_INVERTEBRATES', 'Cnidaria'),
    ('ANGIOSPERMS', 'Magnoliopsida'), ('ANGIOSPERMS', 'Liliopsida'),
    ('CONIFERS', 'Pinopsida'), ('FERNS', 'Polypodiopsida'), ('MOSSES', 'Bryophyta'),
    ('LICHENS', 'Lecanoromycetes'), ('FUNGI', 'Agaricomycetes'),
    ('ALGAE', 'Chlorophyta'), ('ALGAE', 'Rhodophyta'),
    ('OTHER_PLANTS', 'Lycopodiopsida'), ('OTHER_PLANTS', 'Marchantiophyta')
) AS v (short, scientific_name)
WHERE NOT EXISTS (SELECT 1 FROM public.taxa_group_members m
                  WHERE m.short = v.short AND m.scientific_name = v.scientific_name);

-- The groups with the taxa_obs of each, as production defines the API's view.
CREATE OR REPLACE VIEW api.taxa_groups AS
WITH taxa_obs_agg AS (
    SELECT taxa_obs_group_lookup.id_group,
           array_agg(taxa_obs_group_lookup.id_taxa_obs) AS id_taxa_obs
    FROM public.taxa_obs_group_lookup
    WHERE taxa_obs_group_lookup.id_taxa_obs IS NOT NULL
    GROUP BY taxa_obs_group_lookup.id_group
)
SELECT taxa_groups.id, taxa_groups.level, taxa_groups.vernacular_en, taxa_groups.vernacular_fr,
       taxa_obs_agg.id_taxa_obs
FROM public.taxa_groups
LEFT JOIN taxa_obs_agg ON taxa_groups.id = taxa_obs_agg.id_group
ORDER BY taxa_groups.level, taxa_groups.id;
