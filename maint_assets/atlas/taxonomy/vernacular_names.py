"""How vernacular names are written: capitalised as production writes them (bdqc_taxa
recapitalises every name: first letter upper case, the rest lower case, place and person
names kept capitalised), and one name per language chosen among a source's many."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

# Words production keeps capitalised inside a vernacular name: places, compass points and
# people (its list holds "New York" too, but compares word by word, so never matches it).
PLACES = ["Amérique", "America", "Europe", "Ungava", "Alléghanys", "Oregon", "Alaska", "Canada"]
PLACES += ["Virginie", "Virginia", "Pennsylvanie", "Pennsylvania", "Inde", "India", "Islande"]
PLACES += ["Égypte", "Egypt", "Pacifique", "Pacific", "Atlantique", "Atlantic", "Fraser"]
PLACES += ["Alep", "Anadyr"]
COMPASS = ["Est", "Ouest", "Nord"]
PEOPLE = ["Eames", "Allen", "Anna", "Uhler", "Audubon"]
PROPER_NOUNS = frozenset(word.lower() for word in PLACES + COMPASS + PEOPLE)


def sentence_case(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        return name
    words = (name[0].upper() + name[1:].lower()).split(" ")
    return " ".join(w.capitalize() if w.lower() in PROPER_NOUNS else w for w in words)


def most_common(names: Iterable[str]) -> str | None:
    """The name most sources agree on (first seen on a tie)."""
    counts = Counter(sentence_case(n) for n in names if n and n.strip())
    return counts.most_common(1)[0][0] if counts else None
