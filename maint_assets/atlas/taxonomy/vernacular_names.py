"""How vernacular names are written: capitalised as production writes them (bdqc_taxa's
initcap_vernacular: first letter upper case, the rest lower case, place and person names kept
capitalised; spacing kept as the source gives it)."""

from __future__ import annotations

# Words production keeps capitalised inside a vernacular name: places, compass points and
# people (its list holds "New York" too, but compares word by word, so never matches it).
PLACES = ["Amérique", "America", "Europe", "Ungava", "Alléghanys", "Oregon", "Alaska", "Canada"]
PLACES += ["Virginie", "Virginia", "Pennsylvanie", "Pennsylvania", "Inde", "India", "Islande"]
PLACES += ["Égypte", "Egypt", "Pacifique", "Pacific", "Atlantique", "Atlantic", "Fraser"]
PLACES += ["Alep", "Anadyr"]
COMPASS = ["Est", "Ouest", "Nord"]
PEOPLE = ["Eames", "Allen", "Anna", "Uhler", "Audubon"]
PROPER_NOUNS = frozenset(word.lower() for word in PLACES + COMPASS + PEOPLE)


def capitalised(name: str) -> str:
    """``name`` as production stores it. Words are split on single spaces, as production
    splits them, so a doubled or surrounding space stays where the source put it."""
    if not name:
        return name
    words = (name[0].upper() + name[1:].lower()).split(" ")
    return " ".join(w.capitalize() if w.lower() in PROPER_NOUNS else w for w in words)
