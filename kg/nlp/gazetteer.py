"""The administrative-division gazetteer (``kg/data/divisions.tsv``, built by
``scripts/build_divisions.py`` from jionlp's location dictionary, see ``kg/data/README.md``).

Each division has an id (the official 6-digit code for provinces, cities and counties;
``county-code/name`` for towns and villages, which the source lists without codes), a full name,
a short name (provinces, cities, counties), a level and a parent.

:meth:`Gazetteer.find_all` scans a text for every written form of every division, longest
first at each position, in one pass over the text.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "divisions.tsv"
LEVELS = ("province", "city", "county", "town", "village")

# Short names that are generic words, not names (jionlp gives development zones the short
# name 高新区 or 经开区).
_GENERIC_SHORT = {"高新区", "经开区", "新区", "开发区", "省直辖", "市辖区", "郊区", "矿区", "城区"}
# Town and village names are kept only with a real suffix; names such as 开发区 or 工业园区
# listed as towns are zones, and the zone pattern of the district ruler handles them.
_TOWN_SUFFIXES = ("镇", "乡", "街道", "苏木")
_VILLAGE_SUFFIXES = ("村",)


class Division(NamedTuple):
    """One administrative division (a named tuple: 57,000 of them are made at start-up)."""

    id: str
    name: str
    short: str
    level: str
    parent_id: str

    @property
    def code(self) -> str:
        """The official code, or "" for towns and villages (the source has none)."""
        return self.id if self.id.isdigit() else ""


class Form(NamedTuple):
    """A written form of a division: ``full`` (綦江区), ``common`` (石柱县 for
    石柱土家族自治县) or ``short`` (綦江)."""

    division: Division
    kind: str


class Gazetteer:
    """Divisions by id and by written form."""

    def __init__(self, divisions: list[Division]):
        self.by_id: dict[str, Division] = {d.id: d for d in divisions}
        self.forms: dict[str, list[Form]] = defaultdict(list)
        for d in divisions:
            for text, kind in self._written_forms(d):
                if len(text) >= 2:  # one character would match inside every other word
                    self.forms[text].append(Form(d, kind))
        # Longest forms first at each position: for each first character, the lengths to try.
        lengths: dict[str, set[int]] = defaultdict(set)
        for text in self.forms:
            lengths[text[0]].add(len(text))
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}
        # Every form has two characters or more, so a position whose first two characters
        # begin no form is skipped with one lookup (most of a text).
        self._prefixes = frozenset(text[:2] for text in self.forms)

    @staticmethod
    def _written_forms(d: Division) -> list[tuple[str, str]]:
        if d.level == "town":
            return [(d.name, "full")] if len(d.name) >= 3 and d.name.endswith(_TOWN_SUFFIXES) else []
        if d.level == "village":
            return [(d.name, "full")] if len(d.name) >= 3 and d.name.endswith(_VILLAGE_SUFFIXES) else []
        if d.name in _GENERIC_SHORT:
            return []
        forms = [(d.name, "full")]
        if d.short and d.short != d.name and len(d.short) >= 2 and d.short not in _GENERIC_SHORT:
            forms.append((d.short, "short"))
            # 石柱土家族自治县 is written 石柱县; 酉阳土家族苗族自治县 酉阳县.
            if d.name.endswith("自治县"):
                forms.append((d.short + "县", "common"))
            elif d.name.endswith("自治州"):
                forms.append((d.short + "州", "common"))
        return forms

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PATH) -> "Gazetteer":
        """Read the TSV written by ``scripts/build_divisions.py``."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(
                f"division gazetteer {path} is missing; regenerate it with scripts/build_divisions.py"
            )
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls([Division(*line.split("\t")) for line in lines if line.strip() and not line.startswith("#")])

    def parent(self, division: Division) -> Division | None:
        return self.by_id.get(division.parent_id)

    def ancestors(self, division: Division) -> list[Division]:
        """Parent, grandparent, ... up to the province."""
        out = []
        d = self.parent(division)
        while d is not None:
            out.append(d)
            d = self.parent(d)
        return out

    def find_all(self, text: str) -> list[tuple[int, int, list[Form]]]:
        """Every longest written form at each position, left to right, not overlapping."""
        found = []
        i, n = 0, len(text)
        forms, lengths = self.forms, self._lengths
        prefixes = self._prefixes
        while i < n:
            if text[i : i + 2] in prefixes:
                for length in lengths[text[i]]:
                    if i + length <= n:
                        hit = forms.get(text[i : i + length])
                        if hit:
                            found.append((i, i + length, hit))
                            i += length
                            break
                else:
                    i += 1
            else:
                i += 1
        return found


def load_gazetteer(path: str | Path = DEFAULT_PATH) -> Gazetteer:
    """The gazetteer at ``path``, read once per process (however the path is written)."""
    return _load_once(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _load_once(path: str) -> Gazetteer:
    return Gazetteer.load(path)
