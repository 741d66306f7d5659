"""Talk to external SPARQL 1.1 servers with the standard protocols only.

* :func:`push` replaces one named graph of a server with the corpus graph, atomically:
  by the SPARQL 1.1 Graph Store HTTP Protocol (``PUT {store}?graph=IRI``: the server swaps the
  graph in one operation), or, for servers without a graph store, by SPARQL 1.1 Update (one
  ``DROP``+``INSERT DATA`` request, or chunks into a temporary graph then ``MOVE``, so readers
  never see half a graph).
* :func:`endpoint_query` / :func:`endpoint_update` speak the SPARQL 1.1 Protocol (form-encoded
  POST) and read W3C SPARQL JSON results.

Works with any store that implements the standards (Oxigraph, Virtuoso, GraphDB, Fuseki,
QLever, Neptune). HTTP is Python's standard ``urllib`` (no extra package), with optional basic or
digest authentication. Typical URLs::

    Oxigraph  query http://HOST:7878/query   update http://HOST:7878/update   store http://HOST:7878/store
    Virtuoso  query http://HOST:8890/sparql  update http://HOST:8890/sparql-auth
              store http://HOST:8890/sparql-graph-crud-auth (digest auth, user dba)
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Literal, URIRef

from kg.errors import KgError

#: The named graph ``kg push`` replaces and ``kg query --endpoint`` reads, unless told otherwise.
DEFAULT_GRAPH = "https://kg.example.org/kg"
#: Above this many triples the Update protocol loads in chunks: servers limit request sizes
#: (Virtuoso refuses an INSERT DATA of ~2,000 triples: "generated SQL text has exceeded 10000 lines").
UPDATE_CHUNK_TRIPLES = 1000


@dataclass
class Auth:
    """Credentials for an endpoint; ``scheme`` is ``digest`` (Virtuoso's) or ``basic``."""

    user: str
    password: str
    scheme: str = "digest"

    def __post_init__(self) -> None:
        if self.scheme not in ("digest", "basic"):
            raise KgError(f"No HTTP authentication scheme {self.scheme!r}.", hint="Use digest or basic.")


@dataclass
class HttpResponse:
    status: int
    content_type: str
    body: bytes


def http(method: str, url: str, *, data: bytes | None = None, headers: dict | None = None,
         auth: Auth | None = None, timeout: float = 300) -> HttpResponse:
    """One HTTP request; a server error becomes a :class:`KgError` quoting the server's answer."""
    handlers: list = []
    if auth is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, auth.user, auth.password)
        handler = urllib.request.HTTPDigestAuthHandler if auth.scheme == "digest" else urllib.request.HTTPBasicAuthHandler
        handlers.append(handler(passwords))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with opener.open(request, timeout=timeout) as resp:
            return HttpResponse(resp.status, resp.headers.get("Content-Type", ""), resp.read())
    except urllib.error.HTTPError as exc:
        detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
        hint = "Check the user and password (--user, --password) and the auth scheme (--auth)." if exc.code in (401, 403) else "Check the endpoint URL and what the server says."
        raise KgError(f"{method} {url} failed: HTTP {exc.code} {exc.reason}: {detail}", hint=hint) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KgError(f"Cannot reach {url}: {reason}", hint="Is the server running, and is the URL right?") from exc


# ---------------------------------------------------------------------------------------------
# SPARQL protocol
# ---------------------------------------------------------------------------------------------

@dataclass
class EndpointResult:
    """A query answer read from an endpoint, as rdflib terms."""

    form: str  # SELECT, ASK or CONSTRUCT (CONSTRUCT and DESCRIBE answers are graphs)
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)


def _term(binding: dict | None):
    """An rdflib term from a W3C SPARQL JSON binding (``typed-literal`` is Virtuoso's old form)."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    return Literal(value, datatype=URIRef(binding["datatype"]) if binding.get("datatype") else None)


def endpoint_query(url: str, sparql: str, *, form: str = "SELECT", default_graph: str | None = DEFAULT_GRAPH,
                   auth: Auth | None = None, timeout: float = 300) -> EndpointResult:
    """Run a query on a SPARQL endpoint (POST, SPARQL 1.1 Protocol).

    ``default_graph`` is sent as ``default-graph-uri``: queries then see that one graph (without
    it, Virtuoso answers from its system graphs too). ``form`` says how to read the answer.
    """
    params = [("query", sparql)] + ([("default-graph-uri", default_graph)] if default_graph else [])
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples, text/plain;q=0.5" if graph_form else "application/sparql-results+json"
    resp = http("POST", url, data=urllib.parse.urlencode(params).encode("utf-8"), auth=auth, timeout=timeout,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    if graph_form:
        import pyoxigraph

        from kg.rdf import term_from_oxigraph

        triples = [(term_from_oxigraph(t.subject), term_from_oxigraph(t.predicate), term_from_oxigraph(t.object))
                   for t in pyoxigraph.parse(resp.body, format=pyoxigraph.RdfFormat.N_TRIPLES)]
        return EndpointResult(form="CONSTRUCT", triples=triples)
    try:
        answer = json.loads(resp.body.decode("utf-8"))
    except ValueError as exc:
        raise KgError(f"{url} did not answer in SPARQL JSON ({resp.content_type}).",
                      hint="Is this the query endpoint (e.g. /query for Oxigraph, /sparql for Virtuoso)?") from exc
    if "boolean" in answer:
        return EndpointResult(form="ASK", boolean=bool(answer["boolean"]))
    variables = list(answer.get("head", {}).get("vars", []))
    rows = [tuple(_term(b.get(v)) for v in variables) for b in answer.get("results", {}).get("bindings", [])]
    return EndpointResult(form="SELECT", variables=variables, rows=rows)


def endpoint_update(url: str, sparql: str, *, auth: Auth | None = None, timeout: float = 300) -> None:
    """Run a SPARQL Update on an endpoint (POST ``update=``, SPARQL 1.1 Protocol)."""
    http("POST", url, data=urllib.parse.urlencode({"update": sparql}).encode("utf-8"), auth=auth, timeout=timeout,
         headers={"Content-Type": "application/x-www-form-urlencoded"})


# ---------------------------------------------------------------------------------------------
# Push
# ---------------------------------------------------------------------------------------------

@dataclass
class PushReport:
    endpoint: str
    graph: str
    protocol: str
    triples: int
    requests: int


def _ntriples(source) -> bytes:
    """The graph to push as N-Triples (union of all graphs): a file path, a Corpus or rdflib graph."""
    from kg import rdf
    from kg.graph import Corpus
    from kg.store import format_of, get_store

    if isinstance(source, Corpus):
        return rdf.serialize(list(rdf.corpus_quads(source)), "nt")
    if isinstance(source, (str, Path)):
        path = Path(source)
        store = get_store("oxigraph")
        store.load(path)
        if format_of(path) == "nt":
            return path.read_bytes()
        return rdf.serialize(store.graph, "nt")
    return rdf.serialize(source, "nt")


def push(source, endpoint: str, *, graph: str = DEFAULT_GRAPH, protocol: str = "gsp",
         auth: Auth | None = None, timeout: float = 600) -> PushReport:
    """Replace the named graph ``graph`` on a server with ``source`` (file, Corpus or rdflib graph).

    ``protocol="gsp"``: ``endpoint`` is a Graph Store (``/store``, ``/sparql-graph-crud-auth``);
    one ``PUT`` replaces the graph atomically. ``protocol="update"``: ``endpoint`` is an update
    endpoint; the graph is replaced in one request, or for big graphs loaded into a temporary
    graph and moved over the old one with ``MOVE`` (one operation).
    """
    if not graph or not urllib.parse.urlparse(graph).scheme:
        raise KgError(f"Graph name {graph!r} is not an absolute IRI.", hint="Pass e.g. --graph-iri https://data.example.com/kg")
    data = _ntriples(source)
    lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
    if protocol == "gsp":
        url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode({"graph": graph})
        http("PUT", url, data=data, auth=auth, timeout=timeout,
             headers={"Content-Type": "application/n-triples"})
        return PushReport(endpoint, graph, "gsp", len(lines), 1)
    if protocol != "update":
        raise KgError(f"No push protocol {protocol!r}.", hint="Use gsp (Graph Store Protocol) or update (SPARQL Update).")
    if len(lines) <= UPDATE_CHUNK_TRIPLES:
        body = "\n".join(lines)
        endpoint_update(endpoint, f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}",
                        auth=auth, timeout=timeout)
        return PushReport(endpoint, graph, "update", len(lines), 1)
    staging = f"{graph}#staging-{uuid.uuid4().hex}"
    requests = 0
    try:
        for i in range(0, len(lines), UPDATE_CHUNK_TRIPLES):
            chunk = "\n".join(lines[i:i + UPDATE_CHUNK_TRIPLES])
            endpoint_update(endpoint, f"INSERT DATA {{ GRAPH <{staging}> {{\n{chunk}\n}} }}", auth=auth, timeout=timeout)
            requests += 1
        endpoint_update(endpoint, f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>", auth=auth, timeout=timeout)
        requests += 1
    except KgError:
        try:
            endpoint_update(endpoint, f"DROP SILENT GRAPH <{staging}>", auth=auth, timeout=timeout)
        except KgError:
            pass
        raise
    return PushReport(endpoint, graph, "update", len(lines), requests)
