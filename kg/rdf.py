"""The corpus graph as RDF: vocabulary, identifiers, mapping and deterministic serialisation.

The vocabulary is declared once, in ``ontology/kg.ttl``; :class:`KG` mirrors it as a closed rdflib
namespace (a misspelt term raises instead of minting a new IRI) and ``tests/test_rdf.py`` checks
that both agree.

Identifiers are minted from what identifies a thing, never from the order of processing, so the
same entity gets the same IRI in every build::

    {base}organization/重庆大学      an ORG entity (its normalised name)
    {base}district/綦江区            a DISTRICT; likewise project/…, policy/…
    {base}document/000_x.txt         a source document (its file name)
    {base}graph/000_x.txt            the named graph holding that document's evidence
    {base}statement/<16 hex>         one relation (hash of head key, relation, tail key)
    {base}evidence/<16 hex>          one sentence stating a relation (hash of relation + doc + offsets)

Chinese characters stay readable (IRIs allow them); anything an IRI or a prefixed name cannot
carry (ASCII punctuation, spaces, ``/``, ``#``, ``%``...) is percent-encoded. ``base`` defaults to
:data:`DEFAULT_BASE`, a placeholder under the reserved ``example.org`` domain: pass your own
(``--base`` on the command line) before publishing a graph.

Layout of :func:`to_dataset`: the default graph holds the merged entities, the direct relation
triples (``head kg:memberOf tail``) and one ``kg:Statement`` per relation; each document's named
graph holds the ``kg:Evidence`` nodes (and their Web Annotation selectors) read from it. Single-graph
formats (Turtle, N-Triples, JSON-LD) hold the union.

Every serialiser writes quads in one canonical order through Oxigraph's writers, so the same input
gives byte-identical files whatever Python's hash seed, and a million triples write in seconds.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote

from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, DefinedNamespace, Namespace

from kg.doc import RELATIONS, DocResult
from kg.errors import KgError
from kg.files import write_atomic
from kg.graph import Corpus, CorpusEntity, CorpusRelation, Evidence

log = logging.getLogger(__name__)

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_PATH = ONTOLOGY_DIR / "kg.ttl"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_PATH = ONTOLOGY_DIR / "context.jsonld"

#: Where instance IRIs live unless a base is given. ``example.org`` is reserved for examples:
#: publish under a domain you control.
DEFAULT_BASE = "https://kg.example.org/"


class KG(DefinedNamespace):
    """The kg ontology (``ontology/kg.ttl``)."""

    _fail = True
    _NS = Namespace("https://kg.example.org/ontology#")

    # Classes
    Organization: URIRef  # 组织机构: entity type ORG
    GovernmentOrganization: URIRef  # 政府机构: an ORG marked kind=government
    District: URIRef  # 行政区域: entity type DISTRICT
    Project: URIRef  # 项目: entity type PROJECT
    Policy: URIRef  # 政策文件: entity type POLICY
    Document: URIRef  # 来源文档: a document of the corpus
    Statement: URIRef  # 关系陈述: one relation, reified
    Evidence: URIRef  # 证据: one sentence stating a relation

    # The nine relations
    locatedIn: URIRef  # 位于: ORG/PROJECT -> DISTRICT
    memberOf: URIRef  # 成员单位: ORG -> ORG
    subOrganizationOf: URIRef  # 下属机构: ORG -> ORG
    leads: URIRef  # 牵头: ORG -> ORG/PROJECT
    issuedBy: URIRef  # 发布机构: POLICY -> ORG
    implements: URIRef  # 贯彻落实: POLICY -> POLICY
    invests: URIRef  # 投资: ORG -> PROJECT
    develops: URIRef  # 研发建设: ORG -> PROJECT
    partnerOf: URIRef  # 合作: ORG/DISTRICT <-> ORG/DISTRICT

    # Structure and provenance
    withinDistrict: URIRef  # 上级行政区: DISTRICT -> DISTRICT (gazetteer)
    mentionedIn: URIRef  # 提及文档: entity -> Document
    evidence: URIRef  # 证据: Statement -> Evidence
    rule: URIRef  # 抽取规则
    confidence: URIRef  # 置信度
    fileName: URIRef  # 文件名
    sha256: URIRef  # SHA-256 摘要
    characterCount: URIRef  # 字符数

    # Attributes
    amountCNY: URIRef  # 投资金额（元）
    date: URIRef  # 日期
    documentNumber: URIRef  # 发文字号
    issuerCode: URIRef  # 机关代字
    documentYear: URIRef  # 发文年份
    serialNumber: URIRef  # 发文序号
    districtCode: URIRef  # 行政区划代码
    adminLevel: URIRef  # 行政级别
    parentDistrict: URIRef  # 上级行政区代码


ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")

#: Vocabulary prefixes, the same as ``ontology/context.jsonld``.
PREFIXES: dict[str, str] = {
    "dcterms": str(DCTERMS),
    "eli": str(ELI),
    "kg": str(KG._NS),
    "oa": str(OA),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "xsd": str(XSD),
}

#: Entity type -> (class, IRI path segment).
ENTITY_CLASSES: dict[str, tuple[URIRef, str]] = {
    "ORG": (KG.Organization, "organization"),
    "DISTRICT": (KG.District, "district"),
    "PROJECT": (KG.Project, "project"),
    "POLICY": (KG.Policy, "policy"),
}
CLASS_TYPES = {cls: type_ for type_, (cls, _) in ENTITY_CLASSES.items()}
SEGMENT_TYPES = {seg: type_ for type_, (_, seg) in ENTITY_CLASSES.items()}

#: Relation name -> property. The nine relations of the annotation guidelines.
RELATION_PROPERTIES: dict[str, URIRef] = {name: KG[name] for name in RELATIONS}
PROPERTY_RELATIONS = {prop: name for name, prop in RELATION_PROPERTIES.items()}

#: Path segments of everything that is not an entity.
_OTHER_SEGMENTS = ("document", "graph", "statement", "evidence")


def instance_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Prefixes for the instance namespaces under ``base`` (``organization:``, ``document:`` ...)."""
    segments = [seg for _, seg in ENTITY_CLASSES.values()] + list(_OTHER_SEGMENTS)
    return {seg: base + seg + "/" for seg in segments}


def all_prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Vocabulary and instance prefixes, as written at the head of Turtle, TriG and JSON-LD."""
    return {**PREFIXES, **instance_prefixes(base)}


# ---------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------

# Kept as they are: ASCII letters, digits and "-._~" (RFC 3987 iunreserved), and non-ASCII letters,
# marks, numbers and punctuation. Encoded: other ASCII, spaces and separators of any script,
# control and private-use characters, and code points IRIs exclude.
_ASCII_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _iri_char_ok(ch: str) -> bool:
    if ch in _ASCII_SAFE:
        return True
    cp = ord(ch)
    if cp < 0xA0 or ch.isspace():
        return False
    # RFC 3987 ucschar: A0-D7FF, F900-FDCF, FDF0-FFEF, then 1xxxx-Exxxx minus each plane's last
    # two code points and plane E's first 4096 (tags); planes F and 10 (private use) are out.
    if cp <= 0xD7FF or 0xF900 <= cp <= 0xFDCF or 0xFDF0 <= cp <= 0xFFEF:
        return True
    if 0x10000 <= cp <= 0xEFFFD and (cp & 0xFFFF) < 0xFFFE:
        return not 0xE0000 <= cp < 0xE1000
    return False


def iri_segment(text: str) -> str:
    """One IRI path segment for ``text``: readable, with unsafe characters percent-encoded.

    >>> iri_segment("重庆大学")
    '重庆大学'
    >>> iri_segment("A/B 研究院#1")
    'A%2FB%20研究院%231'
    """
    if not text:
        raise ValueError("an IRI segment needs a non-empty name")
    out = []
    for ch in text:
        if _iri_char_ok(ch):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _check_base(base: str) -> str:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#]$", base):
        raise KgError(
            f"Base namespace {base!r} is not an absolute IRI ending in '/' or '#'.",
            hint="Pass something like --base https://data.example.com/kg/",
        )
    return base


def entity_iri(key: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of an entity from its key (``TYPE:normalised name``, see :func:`kg.doc.entity_key`).

    >>> str(entity_iri("ORG:重庆大学"))
    'https://kg.example.org/organization/重庆大学'
    """
    type_, _, name = key.partition(":")
    if type_ not in ENTITY_CLASSES:
        raise ValueError(f"no IRI for entity type {type_!r} (key {key!r})")
    return URIRef(base + ENTITY_CLASSES[type_][1] + "/" + iri_segment(name))


def key_from_iri(iri: str, base: str = DEFAULT_BASE) -> str | None:
    """The entity key an IRI was minted from, or None if it is not an entity IRI under ``base``."""
    if not iri.startswith(base):
        return None
    seg, _, name = iri[len(base):].partition("/")
    if seg not in SEGMENT_TYPES or not name or "/" in name:
        return None
    return f"{SEGMENT_TYPES[seg]}:{unquote(name)}"


def document_iri(doc: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of a source document, from its file name."""
    return URIRef(base + "document/" + iri_segment(doc))


def graph_iri(doc: str, base: str = DEFAULT_BASE) -> URIRef:
    """The named graph holding the evidence read from one document."""
    return URIRef(base + "graph/" + iri_segment(doc))


def _digest(*parts: object) -> str:
    return hashlib.sha1("\t".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def statement_iri(head: str, relation: str, tail: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of the ``kg:Statement`` reifying one relation (entity keys, relation name)."""
    return URIRef(base + "statement/" + _digest(head, relation, tail))


def evidence_iri(head: str, relation: str, tail: str, ev: Evidence, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of one piece of evidence: the relation plus where its sentence is."""
    return URIRef(base + "evidence/" + _digest(head, relation, tail, ev.doc, ev.start, ev.end, ev.text))


# ---------------------------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------------------------

def _decimal(value: object) -> Literal:
    if isinstance(value, bool):
        raise ValueError("not an amount")
    number = Decimal(str(value).replace(",", ""))
    if not number.is_finite() or number < 0:
        raise ValueError("not a non-negative amount")
    return Literal(_canonical_decimal(number), datatype=XSD.decimal)


def _canonical_decimal(number: Decimal) -> str:
    """The lexical form Oxigraph keeps (``1``, ``0.95``), so a graph reads back unchanged."""
    return format(number.normalize(), "f")


def _integer(value: object) -> Literal:
    if isinstance(value, bool):
        raise ValueError("not an integer")
    return Literal(str(int(str(value).strip())), datatype=XSD.integer)


def _year(value: object) -> Literal:
    year = int(str(value).strip())
    if not 1000 <= year <= 9999:
        raise ValueError("not a four-digit year")
    return Literal(f"{year:04d}", datatype=XSD.gYear)


def _string(value: object) -> Literal:
    text = str(value).strip()
    if not text:
        raise ValueError("empty")
    return Literal(text, datatype=XSD.string)


def _date(value: object) -> Literal:
    """A date as precise as written: 2020-11-18, 2020-11 or 2020 (also 2020年11月18日)."""
    if isinstance(value, date):
        return Literal(value.isoformat(), datatype=XSD.date)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?", text)
    if not m:
        raise ValueError("not a date")
    year, month, day = m.groups()
    if day:
        return Literal(date(int(year), int(month), int(day)).isoformat(), datatype=XSD.date)
    if month:
        if not 1 <= int(month) <= 12:
            raise ValueError("not a month")
        return Literal(f"{year}-{int(month):02d}", datatype=XSD.gYearMonth)
    return Literal(year, datatype=XSD.gYear)


@dataclass(frozen=True)
class Attribute:
    """How one key of ``Entity.attrs`` / ``Relation.attrs`` is written in RDF."""

    name: str
    prop: URIRef
    to_literal: object  # callable(value) -> Literal, raising ValueError on a bad value
    from_literal: object  # callable(Literal) -> the Python value read back


def _as_int(lit: Literal) -> int:
    return int(str(lit))


def _as_amount(lit: Literal) -> int | float:
    number = Decimal(str(lit))
    return int(number) if number == number.to_integral() else float(number)


#: The attributes written to RDF. Other keys are left out of the RDF (with a warning), since the
#: shapes could not check them.
ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("amount_cny", KG.amountCNY, _decimal, _as_amount),
        Attribute("date", KG.date, _date, str),
        Attribute("doc_number", KG.documentNumber, _string, str),
        Attribute("issuer_code", KG.issuerCode, _string, str),
        Attribute("year", KG.documentYear, _year, _as_int),
        Attribute("serial", KG.serialNumber, _integer, _as_int),
        Attribute("code", KG.districtCode, _string, str),
        Attribute("level", KG.adminLevel, _string, str),
        Attribute("parent", KG.parentDistrict, _string, str),
    )
}
_PROPERTY_ATTRIBUTES = {a.prop: a for a in ATTRIBUTES.values()}
#: Attribute read as a class, not a property: ``kind=government`` types an ORG as a government body.
_GOVERNMENT_KINDS = {"government", "gov", "政府"}


def _attribute_triples(subject: URIRef, attrs: dict, where: str) -> Iterator[tuple]:
    for name, value in sorted(attrs.items()):
        if name == "kind":
            continue
        attr = ATTRIBUTES.get(name)
        if attr is None or value is None or value == "":
            if attr is None:
                log.warning("attribute %r of %s has no RDF property; left out of the RDF", name, where)
            continue
        try:
            yield subject, attr.prop, attr.to_literal(value)
        except (ValueError, InvalidOperation, TypeError):
            log.warning("attribute %s=%r of %s is not a valid value; left out of the RDF", name, value, where)


# ---------------------------------------------------------------------------------------------
# Corpus -> RDF
# ---------------------------------------------------------------------------------------------

def _confidence(value: float) -> Literal:
    return Literal(_canonical_decimal(Decimal(str(round(float(value), 4)))), datatype=XSD.decimal)


def corpus_quads(corpus: Corpus, base: str | None = DEFAULT_BASE) -> Iterator[tuple]:
    """Every quad of the corpus graph as ``(s, p, o, graph)``; ``graph`` None is the default graph.

    Entities of other types than the four, and relations outside the nine or whose ends are not
    entities of the corpus, have no place in the ontology and are left out.
    """
    base = _check_base(base or DEFAULT_BASE)
    docs = {d.doc: d for d in corpus.docs if d.status == "ok"}
    for name, res in sorted(docs.items()):
        doc = document_iri(name, base)
        yield doc, RDF.type, KG.Document, None
        yield doc, KG.fileName, Literal(name, datatype=XSD.string), None
        if res.sha256:
            yield doc, KG.sha256, Literal(res.sha256, datatype=XSD.string), None
        if res.chars:
            yield doc, KG.characterCount, Literal(str(res.chars), datatype=XSD.integer), None

    iris: dict[str, URIRef] = {}
    by_code_or_name: dict[str, URIRef] = {}
    for key, ent in corpus.entities.items():
        if ent.type not in ENTITY_CLASSES:
            continue
        iris[key] = iri = entity_iri(key, base)
        yield iri, RDF.type, ENTITY_CLASSES[ent.type][0], None
        if ent.type == "ORG" and str(ent.attrs.get("kind", "")).lower() in _GOVERNMENT_KINDS:
            yield iri, RDF.type, KG.GovernmentOrganization, None
        yield iri, SKOS.prefLabel, Literal(ent.name, lang="zh"), None
        for alias in ent.aliases:
            if alias and alias != ent.name:
                yield iri, SKOS.altLabel, Literal(alias, lang="zh"), None
        yield from ((s, p, o, None) for s, p, o in _attribute_triples(iri, ent.attrs, key))
        for name in ent.docs:
            if name in docs:
                yield iri, KG.mentionedIn, document_iri(name, base), None
        if ent.type == "DISTRICT":
            for handle in (ent.attrs.get("code"), ent.name):
                if handle:
                    by_code_or_name.setdefault(str(handle), iri)

    # A district whose parent (gazetteer id or name) is itself in the graph is linked to it.
    for key, ent in corpus.entities.items():
        parent = ent.attrs.get("parent") if ent.type == "DISTRICT" else None
        if parent and str(parent) in by_code_or_name and by_code_or_name[str(parent)] != iris[key]:
            yield iris[key], KG.withinDistrict, by_code_or_name[str(parent)], None

    for (head, relation, tail), rel in corpus.relations.items():
        if relation not in RELATION_PROPERTIES or head not in iris or tail not in iris or not rel.evidence:
            continue
        prop = RELATION_PROPERTIES[relation]
        yield iris[head], prop, iris[tail], None
        st = statement_iri(head, relation, tail, base)
        yield st, RDF.type, KG.Statement, None
        yield st, RDF.subject, iris[head], None
        yield st, RDF.predicate, prop, None
        yield st, RDF.object, iris[tail], None
        yield st, KG.confidence, _confidence(max(e.confidence for e in rel.evidence)), None
        yield from ((s, p, o, None) for s, p, o in _attribute_triples(st, rel.attrs, f"{head} {relation} {tail}"))
        for ev in rel.evidence:
            if ev.doc not in docs:
                continue
            node = evidence_iri(head, relation, tail, ev, base)
            g = graph_iri(ev.doc, base)
            yield st, KG.evidence, node, None
            yield node, RDF.type, KG.Evidence, g
            yield node, OA.hasSource, document_iri(ev.doc, base), g
            yield node, KG.rule, Literal(ev.rule or "unknown", datatype=XSD.string), g
            yield node, KG.confidence, _confidence(ev.confidence), g
            quote = URIRef(node + "-quote")
            yield node, OA.hasSelector, quote, g
            yield quote, RDF.type, OA.TextQuoteSelector, g
            yield quote, OA.exact, Literal(ev.text, datatype=XSD.string), g
            if ev.start >= 0 and ev.end > ev.start:
                position = URIRef(node + "-position")
                yield node, OA.hasSelector, position, g
                yield position, RDF.type, OA.TextPositionSelector, g
                # xsd:integer, not the xsd:nonNegativeInteger of the OA vocabulary: Oxigraph stores
                # derived integer types as xsd:integer, and the graph must read back unchanged.
                yield position, OA.start, Literal(str(ev.start), datatype=XSD.integer), g
                yield position, OA.end, Literal(str(ev.end), datatype=XSD.integer), g


def to_dataset(corpus: Corpus, base: str | None = DEFAULT_BASE, store: str = "default") -> Dataset:
    """The corpus as an rdflib ``Dataset``: merged graph by default, evidence per document graph.

    ``store`` is an rdflib store plugin name (``"default"`` is rdflib's memory store,
    ``"Oxigraph"`` needs oxrdflib). Prefixes are bound for every namespace used.
    """
    base = _check_base(base or DEFAULT_BASE)
    ds = Dataset(store=store)
    for prefix, ns in all_prefixes(base).items():
        ds.bind(prefix, ns, override=True, replace=True)
    graphs: dict[URIRef | None, Graph] = {None: ds.default_graph}
    for s, p, o, g in corpus_quads(corpus, base):
        if g not in graphs:
            graphs[g] = ds.graph(g)
        graphs[g].add((s, p, o))
    return ds


# ---------------------------------------------------------------------------------------------
# RDF -> corpus (so graph files can be exported to GraphML/GEXF and round-trip in tests)
# ---------------------------------------------------------------------------------------------

def _literal_value(lit: object) -> str:
    return str(lit)


def corpus_from_graph(graph: Graph, base: str | None = None) -> Corpus:
    """Read a corpus back from RDF written by :func:`to_dataset` (any graph holding the union).

    ``base`` defaults to the one the graph was written with, found from its ``kg:Document`` nodes
    or entities. Mentions (offsets of every name) are not in the RDF and come back empty.
    """
    if isinstance(graph, Dataset) and not graph.default_union:
        union = Graph()
        for s, p, o, _ in graph.quads():
            union.add((s, p, o))
        graph = union
    base = base or _guess_base(graph)
    docs: dict[URIRef, DocResult] = {}
    for doc in sorted(graph.subjects(RDF.type, KG.Document)):
        name = str(graph.value(doc, KG.fileName) or unquote(str(doc).rsplit("/", 1)[-1]))
        chars = graph.value(doc, KG.characterCount)
        docs[doc] = DocResult(doc=name, path=name, sha256=str(graph.value(doc, KG.sha256) or ""),
                              chars=int(chars) if chars is not None else 0)
    entities: dict[str, CorpusEntity] = {}
    keys: dict[URIRef, str] = {}
    for cls, type_ in CLASS_TYPES.items():
        for iri in sorted(graph.subjects(RDF.type, cls)):
            key = key_from_iri(str(iri), base)
            label = graph.value(iri, SKOS.prefLabel)
            if key is None or label is None:
                continue
            ent = CorpusEntity(key, type_, str(label))
            ent.aliases = sorted(str(a) for a in graph.objects(iri, SKOS.altLabel))
            for prop, attr in _PROPERTY_ATTRIBUTES.items():
                value = graph.value(iri, prop)
                if value is not None:
                    ent.attrs[attr.name] = attr.from_literal(value)
            if (iri, RDF.type, KG.GovernmentOrganization) in graph:
                ent.attrs["kind"] = "government"
            ent.docs = sorted(docs[d].doc for d in graph.objects(iri, KG.mentionedIn) if d in docs)
            keys[iri] = key
            entities[key] = ent
    relations: dict[tuple[str, str, str], CorpusRelation] = {}
    for st in graph.subjects(RDF.type, KG.Statement):
        head, prop, tail = (graph.value(st, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        if head not in keys or tail not in keys or prop not in PROPERTY_RELATIONS:
            continue
        rel = CorpusRelation(keys[head], PROPERTY_RELATIONS[prop], keys[tail])
        for p, attr in _PROPERTY_ATTRIBUTES.items():
            value = graph.value(st, p)
            if value is not None:
                rel.attrs[attr.name] = attr.from_literal(value)
        for node in graph.objects(st, KG.evidence):
            text, start, end = "", -1, -1
            for sel in graph.objects(node, OA.hasSelector):
                if (sel, RDF.type, OA.TextQuoteSelector) in graph:
                    text = str(graph.value(sel, OA.exact) or "")
                if (sel, RDF.type, OA.TextPositionSelector) in graph:
                    start, end = int(graph.value(sel, OA.start)), int(graph.value(sel, OA.end))
            source = graph.value(node, OA.hasSource)
            rel.evidence.append(Evidence(
                doc=docs[source].doc if source in docs else str(source),
                text=text, start=start, end=end,
                rule=str(graph.value(node, KG.rule) or ""),
                confidence=float(graph.value(node, KG.confidence) or 0.0),
            ))
        rel.evidence.sort(key=lambda e: (e.doc, e.start, e.end, e.rule))
        relations[rel.key] = rel
    return Corpus(docs=sorted(docs.values(), key=lambda r: (r.doc, r.path)),
                  entities=dict(sorted(entities.items())), relations=dict(sorted(relations.items())))


def _guess_base(graph: Graph) -> str:
    for cls, seg in [(KG.Document, "document")] + [(c, s) for c, s in ENTITY_CLASSES.values()]:
        for iri in graph.subjects(RDF.type, cls):
            marker = "/" + seg + "/"
            if marker in str(iri):
                return str(iri).rsplit(marker, 1)[0] + "/"
    return DEFAULT_BASE


# ---------------------------------------------------------------------------------------------
# Deterministic serialisation
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation kg writes."""

    name: str
    suffix: str
    media_type: str
    quads: bool  # keeps named graphs
    aliases: tuple[str, ...] = ()


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", ".ttl", "text/turtle", False, ("ttl",)),
        RdfFormat("nt", ".nt", "application/n-triples", False, ("ntriples", "n-triples")),
        RdfFormat("nquads", ".nq", "application/n-quads", True, ("nq", "n-quads")),
        RdfFormat("trig", ".trig", "application/trig", True, ()),
        RdfFormat("jsonld", ".jsonld", "application/ld+json", True, ("json-ld",)),
    )
}
_FORMAT_NAMES = {alias: f for f in FORMATS.values() for alias in (f.name, *f.aliases)}
_SUFFIX_FORMATS = {f.suffix: f for f in FORMATS.values()} | {".json": FORMATS["jsonld"]}


def rdf_format(name_or_path: str | Path) -> RdfFormat:
    """The format called ``name`` (``turtle``, ``ttl``, ``nt`` ...) or of a file, by its suffix."""
    text = str(name_or_path)
    if text.lower() in _FORMAT_NAMES:
        return _FORMAT_NAMES[text.lower()]
    suffix = Path(text).suffix.lower()
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    known = ", ".join(sorted(_FORMAT_NAMES))
    raise KgError(
        f"No RDF format {text!r}.",
        hint=f"Use one of {known}, or a file ending in .ttl, .nt, .nq, .trig or .jsonld.",
    )


def _to_ox(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"not an RDF term: {term!r}")


def serialize(source: Dataset | Graph | Iterable[tuple], fmt: str, base: str | None = None) -> bytes:
    """``source`` in format ``fmt``, byte-identical for the same triples whatever their order.

    The canonical order: the default graph first, then named graphs by IRI; within a graph, triples
    sorted as their N-Triples lines. Single-graph formats (turtle, nt) write the union of all
    graphs. JSON-LD is compacted with the prefixes of ``ontology/context.jsonld`` plus the instance
    prefixes of ``base``. Sorting and writing happen in Oxigraph and on bytes, so a million
    triples take seconds; literals are in Oxigraph's canonical form (``1.0``^^xsd:decimal -> ``1``).
    """
    import pyoxigraph as ox

    form = rdf_format(fmt)
    if base is None:
        base = _guess_base(source) if isinstance(source, Graph) else DEFAULT_BASE
    graphs = _sorted_lines(source)
    if form.name == "nt":
        return b"".join(sorted(set().union(*graphs.values()))) if graphs else b""
    if form.name == "nquads":
        return b"".join(line if g is None else line[:-2] + b"<" + g.encode("utf-8") + b"> .\n"
                        for g, lines in graphs.items() for line in lines)
    if form.name == "turtle":
        union = b"".join(sorted(set().union(*graphs.values()))) if graphs else b""
        triples = ox.parse(union, format=ox.RdfFormat.N_TRIPLES)
        return ox.serialize((q.triple for q in triples), format=ox.RdfFormat.TURTLE, prefixes=all_prefixes(base))
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(g) if g is not None else ox.DefaultGraph())
             for g, lines in graphs.items() for q in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)]
    if form.name == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=all_prefixes(base))
    return _jsonld([(term_from_oxigraph(q.subject), term_from_oxigraph(q.predicate), term_from_oxigraph(q.object),
                     None if isinstance(q.graph_name, ox.DefaultGraph) else term_from_oxigraph(q.graph_name)) for q in quads], base)


def _sorted_lines(source) -> dict[str | None, list[bytes]]:
    """Graph name (None: default graph) -> its sorted, distinct N-Triples lines; empty graphs left out."""
    import pyoxigraph as ox

    inner = _oxigraph_inner(source)
    if inner is None:  # an rdflib graph or plain quads: load them into a scratch Oxigraph store
        inner = ox.Store()
        inner.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), _to_ox(g) if g is not None else ox.DefaultGraph())
                     for s, p, o, g in _quads(source))
    out: dict[str | None, list[bytes]] = {}
    names = [None] + sorted(g.value for g in inner.named_graphs())
    for name in names:
        data = inner.dump(format=ox.RdfFormat.N_TRIPLES,
                          from_graph=ox.NamedNode(name) if name is not None else ox.DefaultGraph())
        lines = sorted(set(data.splitlines(keepends=True)))
        if lines:
            out[name] = lines
    return out


def _quads(source) -> Iterator[tuple]:
    if isinstance(source, Dataset):
        for s, p, o, g in source.quads():
            yield s, p, o, None if g in (None, DATASET_DEFAULT_GRAPH_ID) else g
    elif isinstance(source, Graph):
        for s, p, o in source:
            yield s, p, o, None
    else:
        for q in source:
            yield q[0], q[1], q[2], q[3] if len(q) > 3 else None


def term_from_oxigraph(term):
    """The rdflib term for a pyoxigraph term."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _oxigraph_inner(source):
    """The pyoxigraph store under an rdflib graph backed by oxrdflib, else None."""
    store = getattr(source, "store", None)
    inner = getattr(store, "_store", None)
    if inner is None or type(store).__module__ != "oxrdflib.store":
        return None
    return inner


def _compact(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, ns in prefixes:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return prefix + ":" + iri[len(ns):]
    return iri


def _jsonld(quads: list[tuple], base: str) -> bytes:
    """Compact JSON-LD with an inline context (readers must not need the network)."""
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    context = {**context, **instance_prefixes(base)}
    # Longest namespace first, so "kg:" never wins over a longer instance namespace.
    ordered = sorted(context.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    graphs: dict[object, dict[str, dict]] = {}
    for s, p, o, g in quads:
        nodes = graphs.setdefault(g, {})
        node = nodes.setdefault(s, {"@id": _compact(str(s), ordered)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(_compact(str(o), ordered))
            continue
        if isinstance(o, Literal):
            if o.language:
                value = {"@value": str(o), "@language": o.language}
            elif o.datatype in (None, XSD.string):
                value = {"@value": str(o)}
            else:
                value = {"@value": str(o), "@type": _compact(str(o.datatype), ordered)}
        else:
            value = {"@id": _compact(str(o), ordered)}
        node.setdefault(_compact(str(p), ordered), []).append(value)
    top = list(graphs.get(None, {}).values())
    for g, nodes in graphs.items():
        if g is not None:
            top.append({"@id": _compact(str(g), ordered), "@graph": list(nodes.values())})
    doc = {"@context": dict(sorted(context.items())), "@graph": top}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_graph(source: Dataset | Graph | Corpus, path: Path, fmt: str | None = None,
                base: str | None = None) -> Path:
    """Write ``source`` (a corpus or an RDF graph) to ``path``; the format defaults to its suffix."""
    if isinstance(source, Corpus):
        base = base or DEFAULT_BASE
        source = list(corpus_quads(source, base))
    write_atomic(Path(path), serialize(source, fmt or str(path), base))
    return Path(path)


#: What :func:`write_outputs` writes.
OUTPUT_FILES = {"turtle": "graph.ttl", "trig": "graph.trig", "jsonld": "graph.jsonld"}


def write_outputs(corpus: Corpus, outdir: Path, base: str | None = DEFAULT_BASE,
                  formats: Iterable[str] = tuple(OUTPUT_FILES)) -> dict[str, Path]:
    """Write the corpus graph as ``graph.ttl``, ``graph.trig`` and ``graph.jsonld`` in ``outdir``.

    Returns format name -> path written. Each file is written atomically and is byte-identical
    for the same corpus and base.
    """
    base = base or DEFAULT_BASE
    quads = list(corpus_quads(corpus, base))
    written = {}
    for fmt in formats:
        form = rdf_format(fmt)
        path = Path(outdir) / OUTPUT_FILES.get(form.name, "graph" + form.suffix)
        write_atomic(path, serialize(quads, form.name, base))
        written[form.name] = path
    return written


# ---------------------------------------------------------------------------------------------
# SHACL validation and NetworkX exports
# ---------------------------------------------------------------------------------------------

@dataclass
class ValidationReport:
    conforms: bool
    text: str
    graph: Graph


def validate(data: Graph, shapes: Path | None = None) -> ValidationReport:
    """Check ``data`` (a graph or dataset; the union is checked) against ``ontology/shapes.ttl``."""
    import pyshacl

    shapes_graph = Graph()
    try:
        shapes_graph.parse(str(shapes or SHAPES_PATH), format="turtle")
    except Exception as exc:
        raise KgError(f"Cannot read the SHACL shapes {shapes or SHAPES_PATH}: {' '.join(str(exc).split())}") from exc
    union = Graph()
    for s, p, o, _ in _quads(data):
        union.add((s, p, o))
    conforms, report_graph, report_text = pyshacl.validate(
        union, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=False)
    return ValidationReport(bool(conforms), report_text, report_graph)


def validate_file(path: Path, shapes: Path | None = None) -> ValidationReport:
    """Load an RDF file (format from its suffix) and :func:`validate` it."""
    from kg.store import get_store

    store = get_store("oxigraph")
    store.load(path)
    return validate(store.graph, shapes)
