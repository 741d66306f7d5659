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
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

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
    text = doc.text
    clusters: list[_Cluster] = []
    by_name: dict[tuple[str, str], _Cluster] = {}
    order: list[tuple[int, _Cluster]] = []  # mention start -> cluster, for adjacency rules

    for span in doc.ents:
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
    for span in doc.ents:
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
            for occ in re.finditer(re.escape(short), text[start:]):
                s = start + occ.start()
                if not any(ms <= s < me for c in clusters for ms, me, *_ in c.mentions):
                    find(owner).mentions.append((s, s + len(short), short, "defined_short_form"))
        if span.label_ == "POLICY":
            # 《X》（渝府办发〔2020〕78号）: the number names the same policy
            for other in doc.ents:
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

    live = [c for c in clusters if id(c) not in merged_into]
    city = _document_city(live)

    # 2. District short forms (綦江 / 綦江区) and names with a district in front.
    full_names = {normalise_name(n): c for c in live for n in c.names}
    for c in list(live):
        if id(c) in merged_into:
            continue
        name = c.names[0]
        if c.type == "DISTRICT":
            canonical = c.attrs.get("canonical")
            candidates = [canonical] if canonical and canonical != name else []
            candidates += [name + suffix for suffix in ("区", "县", "市", "省", "镇", "乡", "街道")]
            for cand in candidates:
                other = full_names.get(normalise_name(cand))
                if other is not None and find(other) is not find(c) and other.type == "DISTRICT":
                    merge(other, c)
                    break
        elif c.type == "ORG":
            expanded = expand_abbreviation(name, city)
            targets = {normalise_name(expanded)}
            if city:
                targets.add(normalise_name(city + name))
            for t in sorted(targets):
                other = full_names.get(t)
                if other is not None and find(other) is not find(c) and other.type == "ORG":
                    merge(other, c)
                    break
            else:
                if expanded != name:
                    c.attrs.setdefault("expanded_name", expanded)

    entities = []
    for c in clusters:
        if id(c) in merged_into:
            continue
        # The most complete written form names the entity; defined short forms and
        # document numbers never do unless nothing else is written.
        candidates = [n for n in c.names if n not in c.defined] or c.names
        name = max(candidates, key=lambda n: (len(normalise_name(n)), -c.names.index(n)))
        if c.type == "ORG" and c.attrs.get("expanded_name"):
            # an abbreviation alone: keep the written form as an alias of the official one
            expanded = c.attrs.pop("expanded_name")
            c.add_name(expanded)
            name = expanded
        # A district's official name (石柱土家族自治县 for 石柱县) is one more name for it;
        # "canonical" only served the merging above.
        official = c.attrs.pop("official_name", None)
        c.attrs.pop("canonical", None)
        if official:
            c.add_name(official)
        aliases = sorted({n for n in c.names if normalise_name(n) != normalise_name(name)})
        mentions = [Mention(s, e, t, r) for s, e, t, r in sorted(set(c.mentions))]
        attrs = dict(sorted(c.attrs.items()))
        entities.append(Entity(entity_key(c.type, name), c.type, name, aliases, mentions, attrs))
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
