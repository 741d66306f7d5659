"""Relation extraction: typed facts between the entities of one document.

Each sentence is *masked*: every entity mention is replaced by a one-character
placeholder of its type, so a rule reads like the Chinese it matches:

    {ORG}由{ORGS}等单位联合组成   →  each of the list memberOf the first

Rules are regular expressions over the masked sentence (the ``RULES`` table below) plus
a few document-level rules (a notice's issuer in its header or signature, sub-units
named after their parent). Every relation keeps the sentence it came from, the rule
that produced it and a confidence; domain and range of the guidelines are enforced
in :func:`add`, so a rule can never produce an ill-typed fact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text, sentence_spans
from kg.doc import SYMMETRIC_RELATIONS, Entity, Relation

if not Doc.has_extension("kg_relations"):
    Doc.set_extension("kg_relations", default=None)

# Domain and range of each relation (GUIDELINES.md).
SIGNATURES: dict[str, tuple[frozenset, frozenset]] = {
    "locatedIn": (frozenset({"ORG", "PROJECT"}), frozenset({"DISTRICT"})),
    "memberOf": (frozenset({"ORG"}), frozenset({"ORG"})),
    "subOrganizationOf": (frozenset({"ORG"}), frozenset({"ORG"})),
    "leads": (frozenset({"ORG"}), frozenset({"ORG", "PROJECT"})),
    "issuedBy": (frozenset({"POLICY"}), frozenset({"ORG"})),
    "implements": (frozenset({"POLICY"}), frozenset({"POLICY"})),
    "invests": (frozenset({"ORG"}), frozenset({"PROJECT"})),
    "develops": (frozenset({"ORG"}), frozenset({"PROJECT"})),
    "partnerOf": (frozenset({"ORG", "DISTRICT"}), frozenset({"ORG", "DISTRICT"})),
}

# Placeholders: each mention becomes ONE character from a private-use block of its
# type (the block offset is the entity's index), so the gaps in a rule count real
# characters however long the names are. Rules write {ORG}, {DIS}, {PRJ}, {POL}, and
# {ORGS} etc. for a coordinated list.
_BLOCK = 0x4000  # entities of one type a document may have
_BASES = {"ORG": 0xF0000, "DISTRICT": 0xF4000, "PROJECT": 0xF8000, "POLICY": 0xFC000}
_SHORT = {"ORG": "ORG", "DIS": "DISTRICT", "PRJ": "PROJECT", "POL": "POLICY"}
_SEP = r"(?:[、，,/]|和|及|与|以及|联合|携手)"


def _char_class(label: str) -> str:
    base = _BASES[label]
    return f"[\\U{base:08X}-\\U{base + _BLOCK - 1:08X}]"


def _macro(pattern: str) -> re.Pattern:
    """Expand ``{ORG}``, ``{ORGS}`` (a coordinated list), ``{DIS}``... into regex."""
    for short, label in _SHORT.items():
        one = _char_class(label)
        pattern = pattern.replace("{" + short + "S}", rf"{one}(?:{_SEP}?{one})*")
        pattern = pattern.replace("{" + short + "}", one)
    return re.compile(pattern)


_PLACEHOLDER = re.compile(f"[\\U{0xF0000:08X}-\\U{0xFFFFF:08X}]")


def _placeholder(label: str, idx: int) -> str:
    return chr(_BASES[label] + idx % _BLOCK)


@dataclass(frozen=True)
class Rule:
    """A pattern over masked sentences: named groups ``head`` and ``tail`` hold entities.

    Every entity in ``head`` is related to every entity in ``tail``. A missing group
    (``head=None``) stands for the sentence's carried subject (see ``_subject``).
    """

    name: str
    relation: str
    pattern: re.Pattern
    confidence: float = 0.8
    swap: bool = False  # the groups are written tail-first


def rule(name: str, relation: str, pattern: str, confidence: float = 0.8, swap: bool = False) -> Rule:
    return Rule(name, relation, _macro(pattern), confidence, swap)


# No clause boundary: stay inside one clause of the sentence.
_C = r"[^，。；;！？]"

RULES: tuple[Rule, ...] = (
    # memberOf: X由A、B、C等单位联合组成 / A、B共同发起成立X / X的成员单位包括A、B
    rule("member_composed_of", "memberOf",
         rf"(?P<tail>{{ORG}})?{_C}{{0,6}}由(?P<head>{{ORGS}})(?:等)?{_C}{{0,10}}?(?:联合|共同)?(?:组成|发起|组建|成立)"),
    rule("member_founded", "memberOf",
         rf"(?P<head>{{ORGS}})(?:等)?{_C}{{0,8}}(?:共同|联合)发起(?:成立)?(?:了)?(?P<tail>{{ORG}})"),
    rule("member_list", "memberOf",
         rf"(?P<tail>{{ORG}})的?成员单位(?:包括|有|为|是)?(?P<head>{{ORGS}})"),
    rule("member_join", "memberOf", rf"(?P<head>{{ORG}}){_C}{{0,6}}(?:加入|成为)(?P<tail>{{ORG}})"),
    # leads: X的牵头单位是A / 由A牵头 / A为理事长单位
    rule("lead_unit", "leads", rf"(?P<tail>{{ORG}})?的?牵头单位(?:是|为)?(?P<head>{{ORG}})", 0.85),
    rule("lead_by", "leads", rf"由(?P<head>{{ORG}})牵头{_C}{{0,12}}?(?P<tail>{{ORG}}|{{PRJ}})", 0.7),
    rule("lead_chair", "leads", rf"(?P<head>{{ORG}})(?:为|是|任)(?P<tail>{{ORG}})?的?(?:理事长|会长|组长)单位", 0.7),
    # issuedBy: A印发《X》 / 《X》由A印发
    rule("issue_verb", "issuedBy",
         rf"(?P<tail>{{ORGS}})(?:日前|近日|正式|联合|近期|今年|已)?(?:印发|出台|发布|制定|编制|颁布|公布|起草)(?:了|出)?(?:(?!落实|贯彻|执行){_C}){{0,4}}?(?P<head>{{POLS}})",
         0.85),
    rule("issue_passive", "issuedBy", rf"(?P<head>{{POL}}){_C}{{0,4}}由(?P<tail>{{ORGS}})(?:印发|发布|制定|出台|编制)"),
    # implements: 为贯彻落实《A》…制定《B》
    rule("implement_for", "implements",
         rf"(?:贯彻|落实|贯彻落实|执行)(?P<tail>{{POLS}})[^。；]*?(?:制定|制订|编制|出台|印发)(?:了|出)?(?P<head>{{POL}})", 0.85),
    rule("implement_of", "implements", rf"(?P<head>{{POL}}){_C}{{0,6}}(?:是|为)(?:贯彻|落实|贯彻落实)(?P<tail>{{POL}})"),
    # invests: A投资…建设X / A将在…投资20亿元…X
    rule("invest_build", "invests",
         rf"(?P<head>{{ORG}})[^。；;]{{0,24}}?投资{_C}{{0,16}}?(?P<tail>{{PRJS}})", 0.75),
    rule("invest_build_develops", "develops",
         rf"(?P<head>{{ORG}})[^。；;]{{0,24}}?投资{_C}{{0,12}}?(?:建设|打造|兴建|新建)(?P<tail>{{PRJS}})", 0.7),
    rule("invest_in", "invests", rf"(?P<head>{{ORG}}){_C}{{0,6}}(?:投资|注资|出资)(?:建设|兴建)?了?(?P<tail>{{PRJ}})"),
    # develops: A研发/建设/搭建X, X由A开发
    rule("develop_verb", "develops",
         rf"(?P<head>{{ORGS}})[^。；;]{{0,14}}?(?:研发|开发|建设|打造|搭建|建成|运营|承建|共建|研制|推出|构建|参与|上线|设立)(?:了|出|的)?{_C}{{0,16}}?(?P<tail>{{PRJS}})",
         0.7),
    rule("develop_passive", "develops",
         rf"(?P<tail>{{PRJ}}){_C}{{0,10}}(?:是)?由(?P<head>{{ORGS}}){_C}{{0,12}}(?:研发|开发|建设|打造|承建|运营|研制)"),
    # locatedIn: 落户X区的项目 / 项目落户X区 / 在X区建成的项目 / X区签约的项目
    rule("locate_before", "locatedIn",
         rf"(?:落户|位于|地处|坐落于|建在|落地|入驻|扎根)(?P<tail>{{DISS}}){_C}{{0,6}}?的(?P<head>{{PRJS}}|{{ORG}})", 0.8),
    rule("locate_after", "locatedIn",
         rf"(?P<head>{{PRJS}}|{{ORG}}){_C}{{0,6}}?(?:将|拟|已|正式)?(?:落户|落地|位于|坐落于|建在|选址)(?:在|于)?(?P<tail>{{DISS}})", 0.8),
    rule("locate_in_built", "locatedIn",
         rf"在(?P<tail>{{DISS}}){_C}{{0,4}}?(?:建成|建设|投用|打造|落成|开工|共建|投资|搭建)[^。；;]{{0,14}}?(?P<head>{{PRJS}})", 0.75),
    rule("locate_signed", "locatedIn", rf"(?P<tail>{{DIS}})(?:签约|落地|引进|签下)的(?P<head>{{PRJS}})", 0.85),
    rule("locate_sign_build", "locatedIn",
         rf"(?P<tail>{{DIS}})(?:与|和)?{_C}{{0,40}}?签(?:订|署|约)[^。；;]{{0,30}}?(?:建设|共建|打造)(?P<head>{{PRJS}})", 0.7),
    rule("locate_sign_project", "locatedIn",
         rf"(?P<tail>{{DIS}})(?:与|和){_C}{{0,40}}?签约(?P<head>{{PRJS}})", 0.75),
    rule("locate_carried", "locatedIn",
         rf"^{_C}{{0,6}}?(?:该|这个|此|这一)(?:项目|企业|公司|基地|平台|园区){_C}{{0,6}}?(?:将|拟|已)?(?:落户|落地|位于|建在|选址|坐落于)(?:在|于)?(?P<tail>{{DISS}})", 0.7),
    # partnerOf: A与B签署协议 / A签约B / A、B、C签署 / A联合B
    rule("partner_with", "partnerOf",
         rf"(?P<head>{{ORG}}|{{DIS}})(?:与|和|同)(?:{_C}{{0,20}}?——)?(?P<tail>{{ORG}}|{{DIS}}){_C}{{0,14}}?(?:签订|签署|签约|合作|共建|携手|达成|共同|联合)",
         0.8),
    rule("partner_signs", "partnerOf", rf"(?P<head>{{ORG}}|{{DIS}})签约(?P<tail>{{ORG}})", 0.8),
    rule("partner_jointly", "partnerOf", rf"(?P<head>{{ORG}})联合(?P<tail>{{ORG}})", 0.7),
)

# Rules whose list groups relate the members of one list to each other (all pairs).
LIST_PARTNER = _macro(
    rf"(?P<list>{{ORG}}(?:[、和与及]{{ORG}})+)(?:等)?{_C}{{0,6}}?(?:签署|签订|联合主办|共同主办|共同搭建|共同|联合|携手)"
)
# 与A、B、C合作 with the subject carried from context
WITH_LIST = _macro(rf"(?:与|和|同)(?P<list>(?:{{DIS}}|{{ORG}})(?:[、和及](?:{{DIS}}|{{ORG}}))*)(?:等)?{_C}{{0,4}}?(?:合作|开展合作|协作)")

# A sub-unit named after its parent: 重庆大学 + 自动化学院.
SUB_UNIT_SUFFIXES = ("学院", "医院", "研究院", "研究所", "研究中心", "实验室", "分公司", "子公司", "分院",
                     "工作队", "工作组", "办公室", "系", "部", "处", "科", "中心", "附属中学", "附属小学")

# A notice title: 关于印发《X》的通知
NOTICE = re.compile(r"^关于(?:印发|发布|转发)(.+)的通知$")


@dataclass
class _Sentence:
    start: int
    end: int
    masked: str
    entities: list[int]  # entity index of each placeholder, in order
    index: dict  # placeholder character -> entity index


_ENCLOSING = {"《": "》", "“": "”", "「": "」", '"': '"'}


def _mask(text: str, start: int, end: int, spans: list[tuple[int, int, int, str]]) -> _Sentence:
    parts, entities, index, pos = [], [], {}, start
    for s, e, idx, label in spans:
        # 《X》 and “X” are masked whole, so rules need not spell out the marks
        if s > start and e < end and _ENCLOSING.get(text[s - 1]) == text[e]:
            s, e = s - 1, e + 1
        if s < pos or e > end:
            continue
        parts.append(text[pos:s])
        ch = _placeholder(label, idx)
        parts.append(ch)
        entities.append(idx)
        index[ch] = idx
        pos = e
    parts.append(text[pos:end])
    return _Sentence(start, end, "".join(parts), entities, index)


def _indices(group: str | None, sentence: "_Sentence") -> list[int]:
    """The entity indices of the placeholders in a matched group."""
    return [sentence.index[ch] for ch in _PLACEHOLDER.findall(group or "")]


class RelationSet:
    """The relations found so far, with domain/range checks and de-duplication."""

    def __init__(self, entities: list[Entity]):
        self.entities = entities
        self.found: dict[tuple[str, str, str], Relation] = {}

    def add(self, head: int, relation: str, tail: int, evidence: tuple[int, int, str],
            rule_name: str, confidence: float, attrs: dict | None = None) -> None:
        h, t = self.entities[head], self.entities[tail]
        domain, range_ = SIGNATURES[relation]
        if h.key == t.key or h.type not in domain or t.type not in range_:
            return
        if relation in SYMMETRIC_RELATIONS and h.key > t.key:
            h, t = t, h
        key = (h.key, relation, t.key)
        start, end, text = evidence
        if key not in self.found or self.found[key].confidence < confidence:
            self.found[key] = Relation(h.key, relation, t.key, text, start, end,
                                       rule_name, confidence, dict(attrs or {}))

    def sorted(self) -> list[Relation]:
        return sorted(self.found.values(), key=lambda r: (r.start, r.head, r.relation, r.tail))


AMOUNT = re.compile(r"投资(?:额|总额)?(?:约|超过|达|近)?(\d+(?:\.\d+)?)\s*(亿|万|千万|百万)?元")
_UNITS = {"亿": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, None: 1}


def parse_amount(text: str) -> int | None:
    """The first investment amount in yuan: ``投资30亿元`` -> 3000000000."""
    m = AMOUNT.search(text)
    if not m:
        return None
    return round(float(m.group(1)) * _UNITS[m.group(2)])


def _sentences(doc: Doc) -> Iterator[tuple[int, int]]:
    doc_string = doc_text(doc)
    for start, end in sentence_spans(doc):
        text = doc_string[start:end]
        lead = len(text) - len(text.lstrip())
        if text.strip():
            yield start + lead, start + len(text.rstrip())


def extract_relations(doc: Doc, entities: list[Entity]) -> list[Relation]:
    """All relations stated in ``doc`` between ``entities`` (offsets in ``doc.text``)."""
    text = doc_text(doc)
    found = RelationSet(entities)
    spans = sorted(
        (m.start, m.end, i, ent.type) for i, ent in enumerate(entities) for m in ent.mentions
    )
    # Overlapping mentions cannot both be masked: keep the earlier, longer one.
    kept, last_end = [], -1
    for s, e, i, label in sorted(spans, key=lambda x: (x[0], -x[1])):
        if s >= last_end:
            kept.append((s, e, i, label))
            last_end = e
    main_district = _main_district(entities)

    previous: _Sentence | None = None
    first = 0  # the first kept mention not before the sentence (both are in text order)
    for start, end in _sentences(doc):
        while first < len(kept) and kept[first][0] < start:
            first += 1
        inside = []
        for k in kept[first:]:
            if k[0] >= end:
                break
            if k[1] <= end:
                inside.append(k)
        if not inside:
            continue  # every rule needs a mention in the sentence (a carried subject is not enough)
        sent = _mask(text, start, end, inside)
        evidence = (start, end, text[start:end])
        amount = parse_amount(evidence[2])
        for r in RULES:
            for m in r.pattern.finditer(sent.masked):
                heads = _indices(m.groupdict().get("head"), sent)
                tails = _indices(m.groupdict().get("tail"), sent)
                if not heads or not tails:
                    side = "tail" if not tails else "head"
                    carried = _carried_subject(previous, r.relation, entities, side, hint=m.group(0))
                    if carried is None:
                        continue
                    heads = heads or [carried]
                    tails = tails or [carried]
                attrs = {"amount_cny": amount} if r.relation == "invests" and amount else None
                for h in heads:
                    for t in tails:
                        found.add(h, r.relation, t, evidence, r.name, r.confidence, attrs)
        for m in LIST_PARTNER.finditer(sent.masked):
            if sent.masked[m.end(): m.end() + 4].startswith(("组成", "组建", "成立", "发起")):
                continue  # 由A、B等单位联合组成: members of something, not partners
            members = _indices(m.group("list"), sent)
            for a in members:
                for b in members:
                    if a < b:
                        found.add(a, "partnerOf", b, evidence, "partner_list", 0.75)
        if main_district is not None:
            for m in WITH_LIST.finditer(sent.masked):
                clause = re.split(r"[，,：:]", sent.masked[: m.start()])[-1]
                if _PLACEHOLDER.search(clause):
                    continue  # the sentence names its own subject: partner_with handles it
                for t in _indices(m.group("list"), sent):
                    found.add(main_district, "partnerOf", t, evidence, "partner_carried_subject", 0.6)
        if sent.entities:
            previous = sent

    _document_rules(doc, entities, found)
    return found.sorted()


def _main_district(entities: list[Entity]) -> int | None:
    """The district a document is about: the most often named district below province level."""
    best, best_count = None, 0
    for i, ent in enumerate(entities):
        if ent.type == "DISTRICT" and ent.name.endswith(("区", "县")) and len(ent.mentions) > best_count:
            best, best_count = i, len(ent.mentions)
    return best if best_count >= 3 else None


_REFERENT_TYPES = (("项目", "PROJECT"), ("基地", "PROJECT"), ("平台", "PROJECT"), ("园区", "PROJECT"),
                   ("企业", "ORG"), ("公司", "ORG"), ("联盟", "ORG"), ("协会", "ORG"), ("学院", "ORG"))


def _carried_subject(previous: _Sentence | None, relation: str, entities: list[Entity], side: str,
                     hint: str = "") -> int | None:
    """A subject left out of a sentence (该联盟, 该项目) from the sentence before:
    its first entity of the type the referring word names, else of the relation's type."""
    if previous is None:
        return None
    domain, range_ = SIGNATURES[relation]
    wanted = set(range_ if side == "tail" else domain)
    named = {t for word, t in _REFERENT_TYPES if "该" + word in hint or "这个" + word in hint}
    for types in (named & wanted, wanted):
        for idx in previous.entities:
            if entities[idx].type in types:
                return idx
    return None


def _document_rules(doc: Doc, entities: list[Entity], found: RelationSet) -> None:
    """Facts stated by a document's layout rather than by one sentence."""
    text = doc_text(doc)
    # 1. A sub-unit named after its parent organisation.
    orgs = [(i, e) for i, e in enumerate(entities) if e.type == "ORG"]
    for i, child in orgs:
        for j, parent in orgs:
            if i == j or not child.name.startswith(parent.name) or len(parent.name) < 3:
                continue
            rest = child.name[len(parent.name):]
            if rest.endswith(SUB_UNIT_SUFFIXES) and len(rest) >= 2:
                m = child.mentions[0]
                s, e = _line_of(text, m.start)
                found.add(i, "subOrganizationOf", j, (s, e, text[s:e]), "sub_unit_name", 0.8)
    # 2. A notice and the policy it issues share the issuer written on a line of its own
    #    (the header or the signature).
    notices = [(i, e) for i, e in enumerate(entities) if e.type == "POLICY" and NOTICE.match(e.name)]
    if not notices:
        return
    signature = None
    for i, ent in orgs:
        for m in ent.mentions:
            s, e = _line_of(text, m.start)
            if text[s:e].strip() == text[m.start:m.end].strip():
                signature = (i, (s, e, text[s:e]))
    if signature is None:
        return
    org, evidence = signature
    for i, notice in notices:
        found.add(i, "issuedBy", org, evidence, "notice_signature", 0.8)
        inner = NOTICE.match(notice.name).group(1)
        for j, ent in enumerate(entities):
            if ent.type == "POLICY" and j != i and ent.name in inner:
                m = ent.mentions[-1]
                s, e = _line_of(text, m.start)
                found.add(j, "issuedBy", org, (s, e, text[s:e]), "notice_signature", 0.75)


def _line_of(text: str, pos: int) -> tuple[int, int]:
    """The sentence (or line) around ``pos``."""
    s = max(text.rfind(c, 0, pos) for c in "。！？；\n") + 1
    ends = [i for i in (text.find(c, pos) for c in "。！？；\n") if i >= 0]
    e = min(ends) if ends else len(text)
    while s < e and text[s].isspace():
        s += 1
    return s, e


@Language.component("kg_relations", assigns=["doc._.kg_relations"], requires=["doc._.kg_entities"])
def kg_relations(doc: Doc) -> Doc:
    """Typed relations between the resolved entities: ``doc._.kg_relations``."""
    doc._.kg_relations = extract_relations(doc, doc._.kg_entities)
    return doc
