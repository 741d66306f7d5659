"""Run SPARQL on a graph file or an endpoint, read-only unless asked, and format the answers.

::

    >>> from kg.query import classify
    >>> classify("SELECT * WHERE { ?s ?p ?o }")
    'SELECT'
    >>> classify("DROP ALL")
    'UPDATE'

* :func:`run` answers a query from a graph file (Turtle, TriG, N-Triples, N-Quads, JSON-LD, by
  suffix), a :class:`kg.store.Store`, or a SPARQL endpoint. Updates (``INSERT``, ``DROP ALL``...)
  are refused unless ``update=True``; on a file, an allowed update is written back to the file.
* Syntax errors become one line naming the line and column.
* :func:`format_result` writes a table for people, or the W3C formats: SPARQL 1.1 CSV, TSV and
  JSON results.
* Saved queries live in ``ontology/queries/NAME.rq``. Their header says what question each
  answers, and which ``$parameters`` it takes::

      # title: Partners of an organisation
      # question: Who does an organisation cooperate with, and where is that stated?
      # param: $org label  the organisation's name (default: every organisation)
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, URIRef
from rdflib.namespace import XSD

from kg.errors import KgError

QUERIES_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"
FORMATS = ("table", "csv", "tsv", "json")
_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


# ---------------------------------------------------------------------------------------------
# Classifying and checking
# ---------------------------------------------------------------------------------------------

def _strip_prologue(sparql: str) -> str:
    text = re.sub(r"#[^\n]*", " ", sparql)  # comments (good enough to find the first keyword)
    text = re.sub(r"(?is)^\s*((BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)\s*)*", "", text)
    return text.lstrip()


def classify(sparql: str) -> str:
    """The form of a SPARQL request: SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE.

    Raises :class:`KgError` with a one-line message naming line and column on a syntax error.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(sparql)
        return parsed[1].name.replace("Query", "").upper()
    except ParseException as query_error:
        first = _strip_prologue(sparql).split(None, 1)[0].upper() if _strip_prologue(sparql) else ""
        try:
            parseUpdate(sparql)
            return "UPDATE"
        except ParseException as update_error:
            if first in _UPDATE_KEYWORDS:
                raise KgError(_error_line(update_error), hint="Check the SPARQL Update syntax near that position.") from None
        # rdflib's parser lags behind SPARQL 1.1/1.2 in places: ask Oxigraph before refusing.
        return _classify_with_oxigraph(sparql, query_error)


def _classify_with_oxigraph(sparql: str, fallback: Exception) -> str:
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - depends on the environment
        raise KgError(_error_line(fallback)) from None
    try:
        answer = pyoxigraph.Store().query(sparql)  # an empty store: parsing is what matters
    except SyntaxError as exc:
        from kg.store import sparql_error_message

        raise KgError(sparql_error_message(exc), hint="Check the SPARQL syntax near that position.") from None
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return "ASK"
    if isinstance(answer, pyoxigraph.QueryTriples):
        return "CONSTRUCT"
    return "SELECT"


def _error_line(exc: Exception) -> str:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    text = " ".join(str(exc).split())
    text = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)", "", text)
    if line is not None and col is not None:
        return f"SPARQL syntax error at line {line}, column {col}: {text}"
    return f"SPARQL syntax error: {text}"


# ---------------------------------------------------------------------------------------------
# Saved queries and parameters
# ---------------------------------------------------------------------------------------------

@dataclass
class Param:
    """A ``$name`` of a saved query: ``kind`` says how a value is written (label, string, number, iri)."""

    name: str
    kind: str
    description: str = ""
    default: str | None = None  # filled in when no value is given (``number=0`` in the header)


@dataclass
class SavedQuery:
    name: str
    path: Path
    title: str
    question: str
    text: str
    params: dict[str, Param] = field(default_factory=dict)


_HEADER = re.compile(r"^#\s*(title|question|param):\s*(.*)$")


def load_saved_query(path: Path) -> SavedQuery:
    """Read one ``.rq`` file and its comment header."""
    text = path.read_text(encoding="utf-8")
    title = question = ""
    params: dict[str, Param] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "title":
            title = value
        elif key == "question":
            question = value
        else:
            name, kind, *rest = value.split(None, 2)
            kind, has_default, default = kind.partition("=")
            params[name.lstrip("$")] = Param(name.lstrip("$"), kind, rest[0] if rest else "",
                                             default if has_default else None)
    for name in params:
        if re.search(r"\?" + re.escape(name) + r"(?![\w])", text):
            raise KgError(f"{path}: uses both ${name} and ?{name}, which are the same SPARQL variable.",
                          hint=f"Rename ?{name} in the query.")
    return SavedQuery(path.stem, path, title, question, text, params)


def saved_queries(directory: Path = QUERIES_DIR) -> dict[str, SavedQuery]:
    """Every saved query, by name (the file name without ``.rq``), sorted."""
    return {p.stem: load_saved_query(p) for p in sorted(Path(directory).glob("*.rq"))}


def saved_query(name: str, directory: Path = QUERIES_DIR) -> SavedQuery:
    """The saved query called ``name``; the error lists the names there are."""
    queries = saved_queries(directory)
    name = name.replace("_", "-")  # projects_by_district and projects-by-district both work
    if name not in queries:
        raise KgError(f"No saved query called {name!r}.", hint=f"Saved queries: {', '.join(queries) or 'none'}.")
    return queries[name]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _param_value(param: Param, value: str) -> str:
    if param.kind == "label":
        return f'"{_escape(value)}"@zh'
    if param.kind == "string":
        return f'"{_escape(value)}"'
    if param.kind == "number":
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise KgError(f"Parameter ${param.name} needs a number, not {value!r}.") from None
        return format(number, "f")
    if param.kind == "kgterm":
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value):
            raise KgError(f"Parameter ${param.name} needs a term of the kg ontology such as memberOf, not {value!r}.")
        from kg.rdf import KG

        return f"<{KG._NS}{value}>"
    if param.kind == "iri":
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", value):
            raise KgError(f"Parameter ${param.name} needs an absolute IRI, not {value!r}.")
        return f"<{value}>"
    raise KgError(f"Parameter ${param.name} has an unknown kind {param.kind!r} in its query's header.")


def bind_params(sparql: str, params: dict[str, str], declared: dict[str, Param] | None = None) -> str:
    """Put parameter values in place of ``$name`` variables.

    Undeclared parameters of an ad-hoc query are taken as labels (``"value"@zh``). A ``$name``
    left without a value stays a variable, which matches anything.
    """
    declared = declared or {}
    params = {**{p.name: p.default for p in declared.values() if p.default is not None}, **params}
    for name, value in params.items():
        if declared and name not in declared:
            raise KgError(f"The query takes no parameter ${name}.",
                          hint=f"Parameters: {', '.join('$' + p for p in declared) or 'none'}.")
        pattern = re.compile(r"\$" + re.escape(name) + r"(?![\w])")
        if not pattern.search(sparql):
            raise KgError(f"The query has no ${name} to fill in.")
        literal = _param_value(declared.get(name, Param(name, "label")), value)
        sparql = pattern.sub(lambda _: literal, sparql)
    return sparql


def resolve(query_or_file: str | None, name: str | None = None) -> tuple[str, SavedQuery | None]:
    """The SPARQL text to run: a saved query by ``name``, a ``.rq`` file, or the text itself."""
    if name:
        saved = saved_query(name)
        return saved.text, saved
    if not query_or_file:
        raise KgError("No query given.", hint="Pass SPARQL text, a .rq file, or --name NAME (see --list).")
    path = Path(query_or_file)
    if len(query_or_file) < 4096 and "\n" not in query_or_file and path.suffix in (".rq", ".sparql", ".ru") and path.is_file():
        return path.read_text(encoding="utf-8"), load_saved_query(path)
    return query_or_file, None


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------

@dataclass
class QueryResult:
    """The answer to a query: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)


def _refuse_update() -> KgError:
    return KgError(
        "This is a SPARQL Update (it changes the graph); queries are read-only unless you ask.",
        hint="Add --update (update=True) if you mean to change the graph.",
    )


def run(sparql: str, *, graph=None, endpoint: str | None = None, update: bool = False,
        update_endpoint: str | None = None, default_graph: str | None = None, auth=None,
        store: str = "oxigraph", params: dict[str, str] | None = None,
        declared: dict[str, Param] | None = None, base: str | None = None) -> QueryResult:
    """Run ``sparql`` on ``graph`` (a file path or a :class:`kg.store.Store`) or on ``endpoint``.

    ``params`` fill ``$name`` variables (see :func:`bind_params`). Updates are refused unless
    ``update`` is true; on a file the updated graph is written back to it (atomically, in kg's
    canonical order), on an endpoint they go to ``update_endpoint`` (default: ``endpoint``).
    ``default_graph`` is the graph an endpoint query sees (default :data:`kg.push.DEFAULT_GRAPH`).
    """
    from kg import push as http_push
    from kg.store import Store, get_store

    if params or declared:
        sparql = bind_params(sparql, params or {}, declared)
    form = classify(sparql)
    if form == "UPDATE" and not update:
        raise _refuse_update()
    if endpoint:
        if form == "UPDATE":
            http_push.endpoint_update(update_endpoint or endpoint, sparql, auth=auth)
            return QueryResult(form="UPDATE")
        answer = http_push.endpoint_query(
            endpoint, sparql, form=form, auth=auth,
            default_graph=http_push.DEFAULT_GRAPH if default_graph is None else (default_graph or None))
        return QueryResult(answer.form, answer.variables, answer.rows, answer.boolean, answer.triples)
    if graph is None:
        raise KgError("No graph to query.", hint="Pass --graph FILE or --endpoint URL.")
    if isinstance(graph, Store):
        target, path = graph, None
    else:
        path = Path(graph)
        target = get_store(store)
        target.load(path)
    if form == "UPDATE":
        target.update(sparql)
        if path is not None:
            from kg import rdf
            from kg.store import format_of

            rdf.write_atomic(path, rdf.serialize(target.graph, format_of(path), base or rdf.DEFAULT_BASE))
        return QueryResult(form="UPDATE")
    try:
        result = target.query(sparql)
    except KgError:
        raise
    except Exception as exc:  # an evaluation error of the engine (type errors, unsupported functions)
        raise KgError(f"The query failed: {' '.join(str(exc).split())}") from exc
    if result.type == "ASK":
        return QueryResult(form="ASK", boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return QueryResult(form="CONSTRUCT", triples=sorted(result.graph, key=_triple_key))
    variables = [str(v) for v in result.vars]
    rows = [tuple(row) for row in result]
    return QueryResult(form="SELECT", variables=variables, rows=rows)


def _triple_key(triple: tuple) -> tuple:
    return tuple((type(t).__name__, str(t)) for t in triple)


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

def _nt(term) -> str:
    """A term in N-Triples/Turtle syntax (the W3C TSV results form)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = '"' + _escape(str(term)).replace("\t", "\\t") + '"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{text}^^<{term.datatype}>"
    return text


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out


def _plain(term, prefixes: list[tuple[str, str]]) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, ns in prefixes:
            if term.startswith(ns) and len(term) > len(ns):
                return f"{prefix}:{term[len(ns):]}"
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return " ".join(str(term).split())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    def clip(text: str) -> str:
        if _width(text) <= max_width:
            return text
        out, used = [], 0
        for ch in text:
            w = _width(ch)
            if used + w > max_width - 1:
                break
            out.append(ch)
            used += w
        return "".join(out) + "…"

    rows = [[clip(c) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in rows]
    return "\n".join(out) + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})\n"


def format_result(result: QueryResult, fmt: str = "table", base: str | None = None) -> str:
    """``result`` as ``table`` (for people), ``csv``, ``tsv`` or ``json`` (W3C SPARQL 1.1 results).

    Graph answers (CONSTRUCT/DESCRIBE) are N-Triples in every format but table, which shows
    subject, predicate and object columns.
    """
    from kg import rdf

    if fmt not in FORMATS:
        raise KgError(f"No result format {fmt!r}.", hint=f"Use one of {', '.join(FORMATS)}.")
    if result.form == "UPDATE":
        return "Update done.\n" if fmt == "table" else ""
    if result.form == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        if fmt in ("csv", "tsv"):
            return ("true" if result.boolean else "false") + "\n"
        return ("yes" if result.boolean else "no") + "\n"
    if result.form == "CONSTRUCT":
        if fmt != "table":
            return "".join(f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in result.triples)
        header, rows, variables = ["subject", "predicate", "object"], result.triples, None
    else:
        header, rows, variables = result.variables, result.rows, result.variables
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1) + "\n"
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in header)] + ["\t".join(_nt(t) for t in row) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
        return buf.getvalue()
    prefixes = sorted(rdf.all_prefixes(base or rdf.DEFAULT_BASE).items(), key=lambda kv: -len(kv[1]))
    return _table(header, [[_plain(t, prefixes) for t in row] for row in rows])


def saved_queries_markdown(graph, about: str, directory: Path = QUERIES_DIR, limit: int = 8) -> str:
    """A Markdown page listing every saved query with its real output on ``graph`` (a file or store).

    ``about`` says which graph the outputs come from.
    """
    lines = ["# Saved queries", "",
             "Run one with `kg query --name NAME [-p NAME=VALUE]`; `kg query --list` lists them.",
             f"The outputs below are real answers on {about}.",
             "Regenerate with `python -m kg.query ontology/queries/README.md GRAPH-FILE \"ABOUT\"`.", ""]
    for saved in saved_queries(directory).values():
        result = run(saved.text, graph=graph, declared=saved.params)
        shown = QueryResult(result.form, result.variables, result.rows[:limit], result.boolean, result.triples[:limit])
        lines += [f"## `{saved.name}`: {saved.title}", "", saved.question, ""]
        if saved.params:
            lines += ["Parameters: " + "; ".join(f"`${p.name}` ({p.kind}) {p.description}" for p in saved.params.values()), ""]
        table = format_result(shown).rstrip("\n")
        if len(result.rows) > limit:
            table = table.rsplit("\n", 1)[0] + f"\n({len(result.rows)} rows, the first {limit} shown)"
        lines += ["```", f"$ kg query --name {saved.name}", table]
        lines += ["```", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m kg.query OUT.md GRAPH ABOUT: document the saved queries
    import sys

    from kg.rdf import write_atomic

    out, graph_file, about = sys.argv[1], sys.argv[2], sys.argv[3]
    from kg.store import get_store

    loaded = get_store("oxigraph")
    loaded.load(graph_file)
    write_atomic(Path(out), saved_queries_markdown(loaded, about).encode("utf-8"))
