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
