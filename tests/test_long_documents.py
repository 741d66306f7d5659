"""The per-document pipeline on long documents: processed in pieces, same facts."""
from pathlib import Path

import kg.pipeline as pipeline
from kg.pipeline import extract_text, text_chunks

CORPUS = sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt"))


def test_chunks_cover_the_text_and_cut_at_line_breaks():
    text = ("这是一句话。" * 30 + "\n") * 200
    pieces = text_chunks(text, 1000)
    assert "".join(text[a:b] for a, b in pieces) == text
    assert all(text[b - 1] == "\n" for a, b in pieces[:-1])
    assert max(b - a for a, b in pieces) <= 1000


def test_a_document_longer_than_a_piece_gives_the_facts_of_its_parts(monkeypatch):
    text = CORPUS[3].read_text(encoding="utf-8")
    whole = extract_text(text, name="a.txt")
    # three copies, cut into pieces of about one copy each
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", len(text) + 10)
    long = extract_text("\n".join([text] * 3), name="b.txt")
    assert {e.key for e in long.entities} == {e.key for e in whole.entities}
    assert {(r.head, r.relation, r.tail) for r in long.relations} == {
        (r.head, r.relation, r.tail) for r in whole.relations}
    # every mention of the three copies is kept, with offsets into the long text
    by_key = {e.key: e for e in long.entities}
    for ent in whole.entities:
        assert len(by_key[ent.key].mentions) >= 3 * len(ent.mentions)
    long_text = "\n".join([text] * 3)
    for ent in long.entities:
        for m in ent.mentions:
            assert long_text[m.start:m.end] == m.text


def test_a_50_mb_file_is_read_and_normalised_in_memory_proportional_to_it(tmp_path):
    """Reading and normalising a 50 MB text (17M characters) costs a few bytes per character:
    the text, its simplified copy and one 4-byte raw offset per character. (A per-character
    Python list, as before, took about 100 bytes a character: 1.7 GB.) The NLP stages then see
    it in pieces of CHUNK_CHARS (test above)."""
    import subprocess
    import sys

    from kg.ingest import DEFAULT_MAX_BYTES

    page = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS) + "\n"
    copies = 50_000_000 // len(page.encode("utf-8"))
    path = tmp_path / "big.txt"
    path.write_text(page * copies, encoding="utf-8")
    assert 45_000_000 < path.stat().st_size <= DEFAULT_MAX_BYTES  # under the default cap
    script = (
        "import resource, sys\n"
        "from kg.ingest import read_document\n"
        "from kg.normalize import normalise\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "source = read_document(sys.argv[1])\n"
        "norm = normalise(source.text)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "assert len(norm.text) == len(norm.source) > 0.9 * len(source.text)\n"
        "assert norm.span_to_raw(len(norm.text) - 1, len(norm.text))[1] <= len(source.text)\n"
        "print(len(source.text), (after - before) * 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    chars, grown = map(int, out.stdout.split())
    assert chars > 15_000_000
    assert grown < 20 * chars, f"{grown / 1e6:.0f} MB for {chars / 1e6:.1f}M characters"
