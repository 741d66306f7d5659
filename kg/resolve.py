"""Entity resolution: group a document's mentions into entities, with all their names.

The ``kg_resolver`` component reads the final mentions (``doc.ents``) and writes
``doc._.kg_entities``: one :class:`kg.doc.Entity` per thing, offsets in the
normalised text. Mentions are merged when

* their normalised names are equal;
* one is a short form the text defines: ``X（以下简称“Y”）``, ``X（简称Y）``;
* one is the document number given right after a policy title: ``《X》（渝府办发〔2020〕78号）``;
* one is the short form of a district the document also names in full (綦江 / 綦江区);
* one is the other with the document's city or district in front
  (九龙坡区大数据应用发展管理局 / 重庆市九龙坡区大数据应用发展管理局), or a common
  abbreviation of a government body of that city (市科技局 / 重庆市科学技术局).

Mentions of different types are never merged. The entity's name is its most complete
written form; the others become aliases. The key (``TYPE:name``) is what merges the
entity across documents.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text
from kg.doc import Entity, Mention, entity_key
from kg.normalize import normalise_name

if not Doc.has_extension("kg_entities"):
    Doc.set_extension("kg_entities", default=None)

# （以下简称“联盟”） （简称“中交重投”） （简称诗健生物） (以下简称《行动方案》)
DEFINED_SHORT_FORM = re.compile(
    r"^[\s》”\"」』]*[（(]\s*(?:以下)?(?:简称|下称|以下称)[为：:]?\s*[“\"「《‘']?([^”\"」》’'）)，,。]{1,24}?)[”\"」》’']?\s*[）)]"
)
# A document number in brackets straight after a title.
BRACKETED = re.compile(r"^[\s》”\"」』]*[（(]\s*$")

# Common abbreviations in the names of Chinese government bodies (the long form is
# what official titles use). Applied to ORG names only, to merge 市科技局 with
# 重庆市科学技术局; not a list of organisations.
GOVERNMENT_ABBREVIATIONS = (
    ("科技局", "科学技术局"),
    ("经信委", "经济和信息化委员会"),
    ("经信局", "经济和信息化局"),
    ("发改委", "发展和改革委员会"),
    ("教委", "教育委员会"),
    ("卫健委", "卫生健康委员会"),
    ("人社局", "人力资源和社会保障局"),
    ("住建委", "住房和城乡建设委员会"),
    ("住建局", "住房和城乡建设局"),
    ("商务委", "商务委员会"),
    ("扶贫办", "扶贫开发办公室"),
    ("农业农村委", "农业农村委员会"),
    ("规划自然资源局", "规划和自然资源局"),
    ("生态环境局", "生态环境局"),
    ("网信办", "网络安全和信息化委员会办公室"),
    ("大数据局", "大数据应用发展管理局"),
    ("市委办", "市委办公厅"),
    ("农科院", "农业科学院"),
    ("社科院", "社会科学院"),
    ("科技厅", "科学技术厅"),
)


@dataclass
class _Cluster:
    type: str
    mentions: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, text, rule
    names: list[str] = field(default_factory=list)  # written forms, in order of appearance
    defined: set[str] = field(default_factory=set)  # defined short forms / document numbers
    attrs: dict = field(default_factory=dict)

    def add_name(self, name: str) -> None:
        if name and name not in self.names:
            self.names.append(name)


def strip_marks(text: str) -> str:
    """The name without 《》 or quotation marks around the whole of it."""
    text = text.strip()
    pairs = {"《": "》", "“": "”", '"': '"', "「": "」", "『": "』", "〈": "〉", "‘": "’"}
    while len(text) >= 2 and text[0] in pairs and text[-1] == pairs[text[0]]:
        inner = text[1:-1]
        # keep 《A》和《B》 whole: only strip when the marks enclose one name
        if text[0] in inner or pairs[text[0]] in inner:
            break
        text = inner.strip()
    return text


def expand_abbreviation(name: str, city: str) -> str:
    """The official long form of a government body's abbreviated name, if any.

    ``市科技局`` in a document about 重庆市 becomes ``重庆市科学技术局``.
    """
    expanded = name
    for short, long in GOVERNMENT_ABBREVIATIONS:
        if expanded.endswith(short) and not expanded.endswith(long):
            expanded = expanded[: -len(short)] + long
            break
    if city and expanded.startswith("市") and not expanded.startswith("市场"):
        expanded = city + expanded[1:]
    return expanded


THAT_IS = re.compile(r"^[\s》”\"」』]*[（(]\s*即\s*[《“\"]?$")
# Generic heads a document uses alone for its own plan: 《方案》, 《意见》.
GENERIC_POLICY_HEADS = frozenset({"方案", "行动方案", "实施方案", "意见", "实施意见", "办法", "规划", "计划",
                                  "行动计划", "纲要", "通知", "细则", "条例", "决定", "指南"})
# The heads of government bodies' names: 科学技术局, 商务委员会, 人民政府, 管委会 ...
GOVERNMENT_BODY = re.compile(r"(?:局|委|委员会|厅|办|办公室|办公厅|人民政府|政府|管委会|部|署|总局)$")
# Words that describe what kind of thing a name is and that short forms leave out.
DESCRIPTIVE_WORDS = frozenset({"智慧", "智能", "数字", "数智", "国际", "现代", "生态", "科技", "创新", "未来", "绿色"})
QUOTED_CORE = re.compile(r"[“\"][^”\"]{2,}[”\"]")
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团股份有限公司")
_DISTRICT_PREFIX = re.compile(r"^(.{2,8}?(?:省|市|区|县|镇|乡|街道))(.{3,})$")


def name_variants(name: str, type_: str, city: str, district_names: set[str]) -> list[str]:
    """Other ways the same document may write ``name``.

    * a district's short form is also its full name (綦江 / 綦江区);
    * ``A暨B`` (one thing with two names) is also A and B;
    * a name with a district in front is also the name without it
      (大渡口区跳磴镇卫生院 / 跳磴镇卫生院); 市X is 重庆市X in a document about
      重庆市, and 重庆市X is also 重庆X;
    * a government body's name with common abbreviations (市委办 / 市委办公厅,
      市科技局 / 重庆市科学技术局).
    """
    if type_ == "DISTRICT":
        return [name + suffix for suffix in ("区", "县", "市", "省", "镇", "乡", "街道")]
    forms = [name]
    if "暨" in name:
        forms += [part for part in name.split("暨") if len(part) >= 3]
    if type_ == "ORG":
        for short, long in GOVERNMENT_ABBREVIATIONS:
            if short in name and long not in name:
                forms.append(name.replace(short, long, 1))
            elif long in name and short != long:
                forms.append(name.replace(long, short, 1))
    variants = list(forms)
    for form in forms:
        m = _DISTRICT_PREFIX.match(form)
        if m and (m.group(1) in district_names or m.group(1) == city or m.group(1)[-1] in "省市区县"):
            variants.append(m.group(2))
        if city:
            short_city = city[:-1]
            if form.startswith("市") and not form.startswith("市场"):
                variants.append(city + form[1:])
            elif form.startswith(city):
                variants.append(short_city + form[len(city):])
            elif form.startswith(short_city):
                variants.append(city + form[len(short_city):])
    return [v for v in dict.fromkeys(variants) if v != name]


def implied_short_forms(name: str, type_: str) -> list[str]:
    """Short forms a text uses without defining them: a company without its legal
    form (广东和鑫达电子股份有限公司 -> 广东和鑫达电子), an app or platform by its
    quoted name (“渝快办”App -> 渝快办), a regime by its quoted word (产业链“链长制” -> 链长制)."""
    forms = []
    if type_ == "ORG":
        for legal in LEGAL_FORMS:
            if name.endswith(legal) and len(name) - len(legal) >= 4:
                forms.append(name[: -len(legal)])
                break
    if type_ == "PROJECT":
        m = re.match(r"^[“\"]([^”\"]{2,12})[”\"]\s*(?:App|APP|app|平台|系统|小程序)$", name)
        if m:
            forms.append(m.group(1))
    if type_ == "POLICY":
        m = re.match(r"^[^“\"]{2,8}[“\"]([^”\"]{2,10}制)[”\"]$", name)  # 产业链“链长制” -> 链长制
        if m:
            forms.append(m.group(1))
    return forms


def _without_inner_modifier(long: str, short: str) -> bool:
    """Whether ``short`` is ``long`` with one descriptive word (智慧, 数字 …) taken out of its
    middle, leaving two characters or more on each side: 蔡家新城 of 蔡家智慧新城."""
    gap = len(long) - len(short)
    if gap not in (2, 3) or len(short) < 4:
        return False
    for i in range(2, len(short) - 1):
        if long[:i] == short[:i] and long[i + gap :] == short[i:] and long[i : i + gap] in DESCRIPTIVE_WORDS:
            return True
    return False


def _claim_occurrences(name: str, text: str, clusters: list[_Cluster], start: int = 0) -> list[int]:
    """Where ``name`` occurs in ``text`` from ``start`` and is not part of a longer
    mention. Shorter mentions inside an occurrence (广东 in 广东和鑫达电子) are dropped:
    they were pieces of this name."""
    found = []
    for occ in re.finditer(re.escape(name), text[start:]):
        s, e = start + occ.start(), start + occ.end()
        overlapping = [(c, m) for c in clusters for m in c.mentions if m[0] < e and s < m[1]]
        if all(s <= m[0] and m[1] <= e and (m[1] - m[0]) < (e - s) for _, m in overlapping):
            for c, m in overlapping:
                c.mentions.remove(m)
            found.append(s)
    return found


def _document_city(clusters: list[_Cluster]) -> str:
    """The city the document is about: its most often named city-level district."""
    counts: Counter = Counter()
    for c in clusters:
        if c.type != "DISTRICT":
            continue
        name = c.names[0]
        level = str(c.attrs.get("level", ""))
        if name.endswith("市") or level in ("province", "city", "1", "2"):
            full = c.attrs.get("canonical") or name
            if full.endswith("市"):
                counts[full] += len(c.mentions)
    return counts.most_common(1)[0][0] if counts else ""


def resolve_mentions(doc: Doc) -> list[Entity]:
    """Group ``doc.ents`` into entities (offsets in ``doc.text``)."""
    text = doc_text(doc)
    ents = doc.ents  # spaCy builds a new tuple of Spans on every access
    clusters: list[_Cluster] = []
    by_name: dict[tuple[str, str], _Cluster] = {}
    order: list[tuple[int, _Cluster]] = []  # mention start -> cluster, for adjacency rules

    for span in ents:
        if span.label_ not in ("ORG", "DISTRICT", "PROJECT", "POLICY"):
            continue
        name = strip_marks(span.text)
        if not normalise_name(name):
            continue
        attrs = dict(span._.kg_attrs or {}) if span.has_extension("kg_attrs") else {}
        rule = (span._.kg_rule or "") if span.has_extension("kg_rule") else ""
        key = (span.label_, normalise_name(name))
        cluster = by_name.get(key)
        if cluster is None:
            cluster = by_name[key] = _Cluster(span.label_)
            clusters.append(cluster)
        cluster.mentions.append((span.start_char, span.end_char, span.text, rule or span.label_))
        cluster.add_name(name)
        for k, v in attrs.items():
            cluster.attrs.setdefault(k, v)
        order.append((span.start_char, cluster))
    order.sort(key=lambda x: x[0])

    merged_into: dict[int, _Cluster] = {}

    def find(c: _Cluster) -> _Cluster:
        while id(c) in merged_into:
            c = merged_into[id(c)]
        return c

    def merge(keep: _Cluster, gone: _Cluster, *, defined: bool = False) -> None:
        keep, gone = find(keep), find(gone)
        if keep is gone or keep.type != gone.type:
            return  # never across types
        keep.mentions.extend(gone.mentions)
        for n in gone.names:
            keep.add_name(n)
            if defined:
                keep.defined.add(n)
        keep.defined |= gone.defined
        for k, v in gone.attrs.items():
            keep.attrs.setdefault(k, v)
        merged_into[id(gone)] = keep

    # 1. Defined short forms and bracketed document numbers right after a mention.
    for span in ents:
        key = (span.label_, normalise_name(strip_marks(span.text)))
        owner = by_name.get(key)
        if owner is None:
            continue
        after = text[span.end_char : span.end_char + 40]
        m = DEFINED_SHORT_FORM.match(after)
        if m:
            short = strip_marks(m.group(1))
            short_key = (span.label_, normalise_name(short))
            if short_key in by_name:
                merge(owner, by_name[short_key], defined=True)
            else:
                find(owner).add_name(short)
                find(owner).defined.add(short)
                by_name[short_key] = find(owner)
            # later occurrences of the short form are mentions of the owner
            start = span.end_char + m.end()
            for s in _claim_occurrences(short, text, clusters, start):
                find(owner).mentions.append((s, s + len(short), short, "defined_short_form"))
        if span.label_ == "POLICY":
            # 《X》（渝府办发〔2020〕78号）: the number names the same policy
            for other in ents:
                if (
                    other.label_ == "POLICY"
                    and other.start_char > span.end_char
                    and BRACKETED.match(text[span.end_char : other.start_char])
                    and other.has_extension("kg_attrs")
                    and (other._.kg_attrs or {}).get("doc_number")
                ):
                    number = by_name.get(("POLICY", normalise_name(other.text)))
                    if number is not None:
                        merge(owner, number, defined=True)
                    break

        if span.label_ == "POLICY" or span.label_ == "PROJECT":
            # “双智”试点（即智慧城市基础设施与智能网联汽车协同发展城市试点）
            for other in ents:
                if other.label_ == span.label_ and other.start_char > span.end_char:
                    if THAT_IS.match(text[span.end_char : other.start_char]):
                        full = by_name.get((other.label_, normalise_name(strip_marks(other.text))))
                        if full is not None:
                            merge(full, owner, defined=True)
                    break

    live = [c for c in clusters if id(c) not in merged_into]
    city = _document_city(live)
    district_names = {n for c in live if c.type == "DISTRICT" for n in c.names}

    # 2. Other written forms of one name.
    index: dict[tuple[str, str], _Cluster] = {}
    for c in live:
        for n in c.names:
            index.setdefault((c.type, normalise_name(n)), c)

    def lookup(type_: str, name: str) -> _Cluster | None:
        c = index.get((type_, normalise_name(name)))
        return find(c) if c is not None else None

    for c in list(live):
        if id(c) in merged_into:
            continue
        names = list(c.names)
        if c.type == "DISTRICT" and c.attrs.get("canonical"):
            names.append(c.attrs["canonical"])
        for name in names:
            for variant in name_variants(name, c.type, city, district_names):
                other = lookup(c.type, variant)
                if other is not None and other is not find(c):
                    # the longer written form names the entity
                    keep, gone = (other, c) if len(variant) >= len(name) else (c, other)
                    merge(keep, gone)
        if c.type == "ORG" and id(c) not in merged_into:
            expanded = expand_abbreviation(c.names[0], city)
            if expanded != c.names[0]:
                c.attrs.setdefault("expanded_name", expanded)

    # 3. Short forms written without a definition: 广东和鑫达电子 for 广东和鑫达电子股份有限公司,
    #    渝快办 for “渝快办”App, 《方案》 for the one plan of the document ending in 方案.
    live = [c for c in clusters if id(c) not in merged_into]
    for c in live:
        if id(c) in merged_into:
            continue
        for short in implied_short_forms(c.names[0], c.type):
            written = lookup(c.type, short)
            if written is not None and written is not find(c):
                merge(c, written)
            elif written is None and len(short) >= 3:
                found = _claim_occurrences(short, text, live)
                # the quoted word names the thing even where only the longer form is written
                if found or any(f"{q}{short}" in c.names[0] for q in "“\""):
                    c.add_name(short)
                    c.mentions.extend((s, s + len(short), short, "implied_short_form") for s in found)
    # “满天星”行动计划 for 重庆软件和信息服务“满天星”行动计划: a quoted name's tail
    for c in live:
        name = c.names[0]
        if id(c) in merged_into or c.type not in ("POLICY", "PROJECT") or not QUOTED_CORE.search(name):
            continue
        longer = [o for o in live if o is not c and o.type == c.type and id(o) not in merged_into
                  and o.names[0].endswith(name) and len(o.names[0]) > len(name)]
        if len(longer) == 1:
            merge(longer[0], c)
    # 蔡家新城 for 蔡家智慧新城: a project named without a descriptive word inside its name
    for c in live:
        if id(c) in merged_into or c.type != "PROJECT":
            continue
        fuller = [o for o in live if o is not c and o.type == c.type and id(o) not in merged_into
                  and _without_inner_modifier(o.names[0], c.names[0])]
        if len(fuller) == 1:
            merge(fuller[0], c)
    for c in live:
        if c.type != "POLICY" or id(c) in merged_into or c.names[0] not in GENERIC_POLICY_HEADS:
            continue
        # 《方案》 alone: the document's one policy whose name ends that way
        head = c.names[0]
        owners = [o for o in live if o is not c and o.type == "POLICY" and id(o) not in merged_into
                  and o.names[0].endswith(head) and o.names[0] != head]
        if len(owners) == 1:
            merge(owners[0], c, defined=True)

    entities = []
    for c in clusters:
        if id(c) in merged_into or not c.mentions:
            continue
        # The most complete written form names the entity; defined short forms and
        # document numbers never do unless nothing else is written.
        candidates = [n for n in c.names if n not in c.defined] or c.names
        name = max(candidates, key=lambda n: (len(normalise_name(n)), -c.names.index(n)))
        if c.type == "POLICY" and normalise_name(name) in GENERIC_POLICY_HEADS:
            continue  # 《方案》 with no title it could stand for is not a name
        # The key is what merges an entity across documents: an abbreviated government
        # body (市科技局 in a document about 重庆市) is keyed by its official long form,
        # so it meets 重庆市科学技术局 of another document; the name stays as written.
        key_name = c.attrs.pop("expanded_name", None) or name
        # A district's official name (石柱土家族自治县 for 石柱县) is one more name for it;
        # "canonical" only served the merging above.
        official = c.attrs.pop("official_name", None)
        canonical = c.attrs.pop("canonical", None)
        if official:
            c.add_name(official)
        if c.type == "DISTRICT" and (official or canonical):
            # one district, one key in every document: 重庆 and 重庆市 are both 重庆市
            key_name = official or canonical
        aliases = sorted({n for n in c.names if normalise_name(n) != normalise_name(name)})
        mentions = [Mention(s, e, t, r) for s, e, t, r in sorted(set(c.mentions))]
        if c.type == "ORG" and GOVERNMENT_BODY.search(name):
            c.attrs["kind"] = "government"
        attrs = dict(sorted(c.attrs.items()))
        entities.append(Entity(entity_key(c.type, key_name), c.type, name, aliases, mentions, attrs))
    # Two clusters can still end on one key (e.g. both expanded to the same long form).
    by_key: dict[str, Entity] = {}
    for ent in entities:
        if ent.key in by_key:
            kept = by_key[ent.key]
            kept.aliases = sorted(set(kept.aliases) | set(ent.aliases) | {ent.name} - {kept.name})
            kept.mentions = sorted(set(kept.mentions) | set(ent.mentions), key=lambda m: (m.start, m.end))
        else:
            by_key[ent.key] = ent
    return sorted(by_key.values(), key=lambda e: (e.mentions[0].start if e.mentions else 0, e.key))


@Language.component("kg_resolver", assigns=["doc._.kg_entities"], requires=["doc.ents"])
def kg_resolver(doc: Doc) -> Doc:
    """Group mentions into entities: ``doc._.kg_entities``."""
    doc._.kg_entities = resolve_mentions(doc)
    return doc
