"""``kg push`` and ``kg query --endpoint`` against real SPARQL servers started here on 127.0.0.1.

Oxigraph's server (PyPI ``oxigraph``) and Virtuoso (Debian ``virtuoso-opensource``) run from
temporary folders on free ports. A test is skipped only when its server's program is missing.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import query, rdf
from kg.errors import KgError
from kg.push import DEFAULT_GRAPH, Auth, endpoint_query, push
from kg.store import get_store

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {seconds} s")


def _oxigraph_binary() -> str | None:
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.is_file() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def oxigraph_server():
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("Oxigraph server not installed (pip install oxigraph)")
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/", proc, 30)
        yield {"name": "oxigraph", "store": base + "/store", "query": base + "/query",
               "update": base + "/update", "auth": None}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _virtuoso_ini(folder: Path, sql_port: int, http_port: int) -> Path:
    """The packaged virtuoso.ini with the database in ``folder`` and both ports on 127.0.0.1."""
    settings = {
        ("Database", "DatabaseFile"): folder / "virtuoso.db",
        ("Database", "ErrorLogFile"): folder / "virtuoso.log",
        ("Database", "LockFile"): folder / "virtuoso.lck",
        ("Database", "TransactionFile"): folder / "virtuoso.trx",
        ("Database", "xa_persistent_file"): folder / "virtuoso.pxa",
        ("TempDatabase", "DatabaseFile"): folder / "virtuoso-temp.db",
        ("TempDatabase", "TransactionFile"): folder / "virtuoso-temp.trx",
        ("Parameters", "ServerPort"): f"127.0.0.1:{sql_port}",
        ("Parameters", "DirsAllowed"): f"., {folder}, /usr/share/virtuoso-opensource-7/vad",
        ("HTTPServer", "ServerPort"): f"127.0.0.1:{http_port}",
        # the defaults cut answers at 10,000 rows and queries at 60 s
        ("SPARQL", "ResultSetMaxRows"): "1000000",
        ("SPARQL", "MaxQueryExecutionTime"): "600",
    }
    section, lines = None, []
    for line in VIRTUOSO_INI.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"^\[(.+)\]", line)
        if m:
            section = m.group(1)
        key = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith(";") else None
        if key and (section, key) in settings:
            line = f"{key} = {settings[(section, key)]}"
        lines.append(line)
    path = folder / "virtuoso.ini"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None or not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso not installed (apt-get install virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = _free_port(), _free_port()
    ini = _virtuoso_ini(folder, sql_port, http_port)
    proc = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_http(base + "/sparql?query=ASK%7B%7D", proc, 120)
        yield {"name": "virtuoso", "store": base + "/sparql-graph-crud-auth", "query": base + "/sparql",
               "update": base + "/sparql-auth", "auth": Auth("dba", "dba", "digest")}
    finally:
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", "exec=shutdown;"],
                       capture_output=True, timeout=60)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request):
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(scope="module")
def graph_file(gold_corpus, tmp_path_factory):
    return rdf.write_outputs(gold_corpus, tmp_path_factory.mktemp("out"))["trig"]


@pytest.fixture(scope="module")
def embedded(graph_file):
    store = get_store("oxigraph")
    store.load(graph_file)
    return store


def _normal(rows):
    """Rows compared by value: a number is a number whatever its lexical form."""
    out = []
    for row in rows:
        values = []
        for t in row:
            if t is None:
                values.append(None)
            elif getattr(t, "datatype", None) is not None and str(t.datatype).endswith(("#integer", "#decimal", "#double")):
                values.append(float(t))
            else:
                values.append(str(t))
        out.append(tuple(values))
    return out


def _count(server, graph=DEFAULT_GRAPH) -> int:
    answer = endpoint_query(server["query"], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=graph)
    return int(answer.rows[0][0])


def test_push_then_every_saved_query_matches_the_embedded_store(server, graph_file, embedded):
    report = push(graph_file, server["store"], auth=server["auth"])
    assert report.triples == len(embedded) == _count(server)
    for saved in query.saved_queries().values():
        local = query.run(saved.text, graph=embedded, declared=saved.params)
        remote = query.run(saved.text, endpoint=server["query"], declared=saved.params)
        assert remote.variables == local.variables, saved.name
        assert _normal(remote.rows) == _normal(local.rows), saved.name
    # a parameterised query too
    saved = query.saved_query("partners-of")
    name = str(query.run(saved.text, graph=embedded, declared=saved.params).rows[0][0])
    local = query.run(saved.text, graph=embedded, params={"org": name}, declared=saved.params)
    remote = query.run(saved.text, endpoint=server["query"], params={"org": name}, declared=saved.params)
    assert local.rows and _normal(remote.rows) == _normal(local.rows)


def test_push_replaces_the_named_graph(server, graph_file, gold_corpus, tmp_path):
    push(graph_file, server["store"], auth=server["auth"])
    full = _count(server)
    smaller = rdf.Corpus(gold_corpus.docs[:1], dict(list(gold_corpus.entities.items())[:5]), {})
    path = rdf.write_graph(smaller, tmp_path / "small.nt")
    report = push(path, server["store"], auth=server["auth"])
    assert _count(server) == report.triples < full  # replaced, not added to
    push(graph_file, server["store"], auth=server["auth"])
    assert _count(server) == full


def test_push_by_sparql_update(server, graph_file, embedded, monkeypatch):
    other = "https://kg.example.org/kg-by-update"
    # a small graph goes in one request: DROP + INSERT DATA
    monkeypatch.setattr("kg.push.UPDATE_CHUNK_TRIPLES", 500)
    small = rdf.write_graph(rdf.Corpus([], {}, {}), Path(graph_file).parent / "empty.nt")
    small.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    report = push(small, server["update"], graph=other, protocol="update", auth=server["auth"])
    assert report.requests == 1 and _count(server, other) == 1
    # bigger graphs go in chunks into a staging graph, then MOVE replaces the target in one step
    report = push(graph_file, server["update"], graph=other, protocol="update", auth=server["auth"])
    assert report.requests == -(-len(embedded) // 500) + 1
    assert _count(server, other) == len(embedded)
    staging = endpoint_query(server["query"], "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=None)
    assert not [g for (g,) in staging.rows if "staging" in str(g)]


def test_cli_push_then_query_endpoint(server, graph_file, embedded, monkeypatch):
    from kg.cli.push import push as push_command
    from kg.cli.query import query as query_command

    args = ["--endpoint", server["store"], "--graph", str(graph_file)]
    if server["auth"]:
        monkeypatch.setenv("KG_ENDPOINT_PASSWORD", server["auth"].password)
        args += ["--user", server["auth"].user]
    result = CliRunner().invoke(push_command, args)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(query_command, ["--name", "relation-counts", "--endpoint", server["query"], "-f", "csv"])
    assert result.exit_code == 0, result.output
    local = query.format_result(query.run(query.saved_query("relation-counts").text, graph=embedded), "csv")
    assert result.output.replace("\r\n", "\n") == local.replace("\r\n", "\n")


def test_update_on_an_endpoint_needs_update_flag(server):
    with pytest.raises(KgError, match="read-only"):
        query.run("DROP ALL", endpoint=server["query"])


def test_wrong_password_is_a_clear_error(virtuoso_server, graph_file):
    with pytest.raises(KgError) as err:
        push(graph_file, virtuoso_server["store"], auth=Auth("dba", "wrong", "digest"))
    assert "401" in str(err.value) and "password" in err.value.hint


def test_unreachable_endpoint_is_a_clear_error(graph_file):
    with pytest.raises(KgError, match="Cannot reach"):
        push(graph_file, f"http://127.0.0.1:{_free_port()}/store")
