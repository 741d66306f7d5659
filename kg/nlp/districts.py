"""``kg_district_ruler``: administrative divisions and functional zones.

* Gazetteer forms (see :mod:`kg.nlp.gazetteer`): full names of every level; short forms of
  provinces and cities (重庆, 四川, 广州) everywhere; short forms of counties (綦江, 江津) only when
  the document also writes the county's full name, because many are ordinary words (合作, 比如);
  villages only when the document also names their town, which also picks the right one of the
  many villages that share a name.
* Ambiguous names (江北区 is in Chongqing and in Ningbo) go to the division whose province, city
  or county the document also names, else to the home province of the configuration.
* Functional zones by pattern: a place or a two-character core before 新区/高新区/经开区/科学城/
  协同创新区/生物城… (两江新区, 重庆高新区, 重庆国际生物城, 西部（重庆）科学城).
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text, token_starts
from kg.nlp.candidates import Candidate, add
from kg.nlp.gazetteer import DEFAULT_PATH, Form, load_gazetteer

PRIORITY_FULL = 30
PRIORITY_SHORT = 20

ZONE_SUFFIX = re.compile(
    r"高新技术产业开发区|经济技术开发区|综合保税区|协同创新区|高新区|经开区|新区|科学城|生物城|保税港区|自贸区"
)
# Two-character cores that make a generic phrase, not a zone name (国家高新区, 城市新区).
GENERIC_ZONE_CORES = set(
    "国家 全国 各类 各个 市级 省级 区级 这些 相关 一批 一个 创建 建设 打造 申报 城市 所在 周边 整个 现有 主要 重点".split()
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BRACKETED_PLACE = re.compile(r"[\u4e00-\u9fff]{2}[（(][\u4e00-\u9fff]{2,4}[)）]$")


class DistrictRuler:
    """Proposes DISTRICT candidates from the gazetteer and the zone pattern."""

    def __init__(self, nlp: Language, name: str, *, gazetteer_path: str, home_province: str):
        self.name = name
        self.gazetteer = load_gazetteer(gazetteer_path or str(DEFAULT_PATH))
        self.home_province = home_province

    def __call__(self, doc: Doc) -> Doc:
        for cand in self.match(doc_text(doc), token_starts(doc)):
            add(doc, cand)
        return doc

    def match(self, text: str, tokens: frozenset[int] | None = None) -> list[Candidate]:
        """All district candidates of ``text``; with ``tokens`` (token start offsets) a zone
        name must start a token (科技创新区长奖 holds no zone 技创新区)."""
        hits = self.gazetteer.find_all(text)
        written_full = {f.division.id for _, _, forms in hits for f in forms if f.kind != "short"}
        named = {f.division.id for _, _, forms in hits for f in forms}
        out: list[Candidate] = []
        place_ends: dict[int, Candidate] = {}
        for start, end, forms in hits:
            form = self._choose(forms, written_full, named)
            if form is None:
                continue
            cand = self._candidate(start, end, form, written_full)
            out.append(cand)
            place_ends[end] = cand
        out.extend(z for z in self._zones(text, place_ends) if tokens is None or z.start in tokens)
        return out

    def _allowed(self, form: Form, written_full: set[str]) -> bool:
        d = form.division
        if d.level == "village":
            return d.parent_id in written_full
        if form.kind == "short" and d.level == "county":
            return d.id in written_full
        return True

    def _choose(self, forms: list[Form], written_full: set[str], named: set[str]) -> Form | None:
        allowed = [f for f in forms if self._allowed(f, written_full)]
        if not allowed:
            return None

        def rank(f: Form):
            ancestors = self.gazetteer.ancestors(f.division)
            context = sum(1 for a in ancestors if a.id in named)
            province = ancestors[-1].id if ancestors else f.division.id
            level = ("province", "city", "county", "town", "village").index(f.division.level)
            return (-context, province != self.home_province, f.kind != "full", level, f.division.id)

        return min(allowed, key=rank)

    def _candidate(self, start: int, end: int, form: Form, written_full: set[str]) -> Candidate:
        d = form.division
        parent = self.gazetteer.parent(d)
        attrs = {
            "code": d.code,
            "level": d.level,
            "parent": parent.name if parent else "",
            "official_name": d.name,
        }
        if form.kind != "full":
            attrs["canonical"] = d.name
        priority = PRIORITY_FULL if form.kind != "short" else PRIORITY_SHORT
        return Candidate(start, end, "DISTRICT", f"{self.name}:gazetteer", priority, attrs)

    def _zones(self, text: str, place_ends: dict[int, Candidate]) -> list[Candidate]:
        out = []
        for m in ZONE_SUFFIX.finditer(text):
            s = m.start()
            start, parent = None, ""
            bracketed = _BRACKETED_PLACE.search(text[max(0, s - 8) : s])
            if s in place_ends:  # 重庆高新区
                start, parent = place_ends[s].start, text[place_ends[s].start : s]
            elif bracketed:  # 西部（重庆）科学城
                start = s - len(bracketed.group())
            else:  # 两江新区, 渝黔高新区, 重庆两江协同创新区, 重庆国际生物城
                core_end = s - 2 if text[max(0, s - 2) : s] == "国际" else s
                core_start = core_end - 2
                core = text[max(0, core_start) : core_end]
                if core_end != s and core_end in place_ends:  # the place is the core: 重庆国际生物城
                    start = place_ends[core_end].start
                    parent = text[start:core_end]
                elif len(core) == 2 and all(_CJK.match(c) for c in core) and core not in GENERIC_ZONE_CORES:
                    start = core_start
                    if core_start in place_ends:  # a place before the core: 重庆两江协同创新区
                        start = place_ends[core_start].start
                        parent = text[start:core_start]
            if start is None:
                continue
            attrs = {"code": "", "level": "zone", "parent": parent, "official_name": text[start : m.end()]}
            out.append(Candidate(start, m.end(), "DISTRICT", f"{self.name}:zone", PRIORITY_FULL, attrs))
        return out


@Language.factory(
    "kg_district_ruler",
    default_config={"gazetteer_path": "", "home_province": "500000"},
    assigns=["doc._.kg_candidates"],
)
def make_district_ruler(nlp: Language, name: str, gazetteer_path: str, home_province: str) -> DistrictRuler:
    """Districts from the gazetteer (``gazetteer_path``, default the shipped one) and zone patterns;
    ambiguous names resolve to ``home_province`` (an official province code) without context."""
    return DistrictRuler(nlp, name, gazetteer_path=gazetteer_path, home_province=home_province)
