"""kg.ingest on a hostile corpus made in tmp_path: encodings, binaries, odd names, HTML,
Word and PDF files generated from a demo corpus document."""
from __future__ import annotations

import codecs
import hashlib
import io
import os
import random
import re
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.errors import KgError
from kg.ingest import (
    DEFAULT_MAX_BYTES,
    IngestError,
    Skipped,
    decode_bytes,
    iter_documents,
    normalise_newlines,
    plausibility,
    read_document,
    unwrap_lines,
)

CORPUS_DOC = "002_7ff1af6d190f772b.txt"
WQY_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # Debian fonts-wqy-zenhei

# Hand-written, so the tests do not depend on a converter: simplified and traditional.
SIMPLIFIED = "重庆市人民政府办公厅日前印发《重庆市推动“人工智能+”行动方案》，到2027年普及率超过80%。"
TRADITIONAL = "重慶市人民政府辦公廳日前印發《重慶市推動「人工智慧+」行動方案》，到2027年普及率超過80%。"


@pytest.fixture(scope="module")
def corpus_text(corpus_dir: Path) -> str:
    return (corpus_dir / CORPUS_DOC).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def paragraphs(corpus_text: str) -> list[str]:
    return [line.strip() for line in corpus_text.split("\n") if line.strip()]


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def reason_of(path: Path, **kwargs) -> str:
    with pytest.raises(IngestError) as caught:
        read_document(path, **kwargs)
    assert isinstance(caught.value, KgError)
    return caught.value.reason


# --------------------------------------------------------------------------- text files


def test_corpus_document_is_read_verbatim(corpus_dir: Path, corpus_text: str):
    path = corpus_dir / CORPUS_DOC
    source = read_document(path, max_bytes=DEFAULT_MAX_BYTES)
    raw = path.read_bytes()
    assert source.text == corpus_text
    assert (source.name, source.path, source.format, source.encoding) == (CORPUS_DOC, str(path), "txt", "utf-8")
    assert source.sha256 == hashlib.sha256(raw).hexdigest()
    assert source.size == len(raw)
    assert source.warnings == ()


@pytest.mark.parametrize(
    "text, data, encoding",
    [
        (SIMPLIFIED, codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig"),
        (SIMPLIFIED, SIMPLIFIED.encode("utf-16"), "utf-16-le"),  # Python writes BOM + LE
        (TRADITIONAL, codecs.BOM_UTF16_BE + TRADITIONAL.encode("utf-16-be"), "utf-16-be"),
        (SIMPLIFIED, codecs.BOM_UTF32_LE + SIMPLIFIED.encode("utf-32-le"), "utf-32-le"),
        (SIMPLIFIED, SIMPLIFIED.encode("gbk"), "gb18030"),
        (SIMPLIFIED, SIMPLIFIED.encode("gb2312"), "gb18030"),
        (TRADITIONAL, TRADITIONAL.encode("gbk"), "gb18030"),  # GBK holds traditional too
        (TRADITIONAL, TRADITIONAL.encode("big5"), "big5hkscs"),
        ("圍碁賽在臺北舉行，選手恒心不變。", "圍碁賽在臺北舉行，選手恒心不變。".encode("cp950"), "big5hkscs"),  # 碁恒
        ("重庆市江北区", "重庆市江北区".encode("gbk"), "gb18030"),  # short texts too
        ("臺北市政府", "臺北市政府".encode("big5"), "big5hkscs"),
        ("朱镕基说，生僻字𠀀和€也要保留。", "朱镕基说，生僻字𠀀和€也要保留。".encode("gb18030"), "gb18030"),  # 4-byte
    ],
    ids=["utf8-bom", "utf16le", "utf16be", "utf32", "gbk", "gb2312", "gbk-trad", "big5", "cp950",
         "gbk-short", "big5-short", "gb18030-4byte"],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, text: str, data: bytes, encoding: str):
    source = read_document(write(tmp_path, "doc.txt", data), max_bytes=DEFAULT_MAX_BYTES)
    assert source.text == text  # traditional stays traditional, no BOM character left
    assert source.encoding == encoding


def test_line_endings_become_newlines(tmp_path: Path):
    data = "第一行\r\n第二行\r第三行\n".encode("gbk")
    source = read_document(write(tmp_path, "crlf.txt", data))
    assert source.text == "第一行\n第二行\n第三行\n"
    assert source.size == len(data)  # size and hash describe the raw bytes


def test_traditional_gbk_and_big5_of_a_whole_document(tmp_path: Path, corpus_text: str):
    import opencc

    traditional = opencc.OpenCC("s2twp").convert(corpus_text)
    big5 = read_document(write(tmp_path, "big5.txt", traditional.encode("big5hkscs", "replace")))
    gbk = read_document(write(tmp_path, "gbk.md", corpus_text.encode("gbk")))
    assert big5.encoding == "big5hkscs" and gbk.encoding == "gb18030"
    assert gbk.text == corpus_text and gbk.format == "md"
    assert big5.text == traditional.encode("big5hkscs", "replace").decode("big5hkscs")
    assert "重慶" in big5.text and "重庆" not in big5.text


def test_plausibility_separates_right_and_wrong_codec():
    big5 = TRADITIONAL.encode("big5")
    assert plausibility(big5.decode("big5")) > 0.9
    assert plausibility(big5.decode("gb18030")) < 0  # private-use characters
    gbk = SIMPLIFIED.encode("gbk")
    assert plausibility(gbk.decode("gbk")) > 0.9
    assert plausibility(gbk.decode("big5hkscs", "replace")) < 0.5


def test_damaged_files_are_read_with_a_warning(tmp_path: Path, corpus_text: str):
    truncated = corpus_text.encode("utf-8")[:-1]  # last character cut in half
    source = read_document(write(tmp_path, "cut.txt", truncated))
    assert source.text == corpus_text[:-1] + "\ufffd"
    assert source.warnings == ("1 invalid byte sequence in utf-8 replaced with U+FFFD (damaged file?)",)

    head, tail = corpus_text[:300].encode("gbk"), corpus_text[300:].encode("gbk")
    stray = head + b"\xff" + tail  # 0xFF is never valid in GBK
    source = read_document(write(tmp_path, "stray.txt", stray))
    assert source.encoding == "gb18030" and source.text.count("\ufffd") == 1
    assert source.text.replace("\ufffd", "") == corpus_text


def test_empty_and_whitespace_files(tmp_path: Path):
    assert reason_of(write(tmp_path, "empty.txt", b"")) == "empty file"
    assert reason_of(write(tmp_path, "blank.md", " \r\n\t\u3000\n")) == "no text (the file holds only whitespace)"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "binary file (looks like PNG image)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary file (looks like JPEG image)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary file (looks like PDF document)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "binary file (looks like ZIP archive or Office document)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50),
         "binary file (looks like legacy Office document (.doc/.xls) or encrypted Office file)"),
        (b"{\\rtf1\\ansi\\ansicpg936 \\'d6\\'d0}", "binary file (looks like RTF document)"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "binary file (looks like Windows executable)"),
        ("正文\x00正文".encode(), "binary file (contains NUL bytes)"),
    ],
    ids=["png", "jpeg", "pdf", "zip", "ole2", "rtf", "exe", "nul"],
)
def test_binary_files_are_refused(tmp_path: Path, data: bytes, reason: str):
    assert reason_of(write(tmp_path, "notes.txt", data)) == reason


def test_misnamed_pdf_gets_a_hint(tmp_path: Path):
    with pytest.raises(IngestError) as caught:
        read_document(write(tmp_path, "report.txt", b"%PDF-1.4\n1 0 obj\n"))
    assert caught.value.hint == "Rename it to .pdf."


def test_undecodable_bytes(tmp_path: Path):
    rng = random.Random(7)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(4000))  # high bytes, no NUL, no BOM
    assert reason_of(write(tmp_path, "noise.txt", noise)) == "cannot decode: not UTF-8/UTF-16/GB18030/Big5"
    latin1 = ("Politique régionale: économie, santé, éducation. " * 40).encode("latin-1")
    assert reason_of(write(tmp_path, "latin1.txt", latin1)) == "cannot decode: not UTF-8/UTF-16/GB18030/Big5"


def test_size_cap_is_checked_before_reading(tmp_path: Path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: 73.4 MB of NUL bytes that take no disk
        handle.truncate(int(73.4 * 1024 * 1024))
    # NUL bytes would be "binary file": the size message proves nothing was read first.
    assert reason_of(path) == "file is 73.4 MB, over the 50 MB limit (raise --max-size)"
    small = write(tmp_path, "small.txt", "重庆" * 600)  # 3600 bytes
    assert reason_of(small, max_bytes=2048) == "file is 3.5 KB, over the 2 KB limit (raise --max-size)"
    assert read_document(small, max_bytes=3600).text == "重庆" * 600


def test_large_file_memory_stays_proportional(tmp_path: Path, corpus_text: str):
    """A 20 MB GBK file with CRLF: peak Python memory under 4x its size."""
    unit = corpus_text.replace("\n", "\r\n").encode("gbk")
    path = write(tmp_path, "large.txt", unit * (20 * 1024 * 1024 // len(unit)))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        source = read_document(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.encoding == "gb18030"
    assert source.text[: len(corpus_text)] == corpus_text
    assert "\r" not in source.text
    assert peak < 4 * size, f"peak {peak / 2**20:.0f} MB for a {size / 2**20:.0f} MB file"


def test_long_lines_and_unbalanced_brackets(tmp_path: Path):
    text = "《重庆市推动人工智能" + "发展" * 500_000 + "\n另一行）》》\n"
    source = read_document(write(tmp_path, "long.txt", text.encode("gb18030")))
    assert source.text == text


WEIRD_NAMES = ['quote".txt', "lt<gt>.txt", "brace{}.txt", "pipe|.txt", "back\\slash.txt", "caret^.txt",
               "with space.txt", "line\nbreak.txt", "中文 名称.TXT"]


def test_odd_file_names(tmp_path: Path):
    folder = tmp_path / "in"
    for number, name in enumerate(WEIRD_NAMES):
        write(folder, name, f"第{number}号文件")
    documents, skipped = iter_documents([folder])
    assert skipped == []
    assert [p.name for p in documents] == sorted(WEIRD_NAMES)
    for path in documents:
        source = read_document(path)
        assert source.name == path.name
        assert source.text == f"第{WEIRD_NAMES.index(path.name)}号文件"


def test_file_name_that_is_not_utf8_is_skipped(tmp_path: Path):
    folder = tmp_path / "in"
    write(folder, "good.txt", "正文")
    bad = os.path.join(os.fsencode(folder), b"bad\xff.txt")
    with open(bad, "wb") as handle:
        handle.write("正文".encode())
    documents, skipped = iter_documents([folder])
    assert documents == [folder / "good.txt"]
    assert [s.reason for s in skipped] == ["file name is not valid UTF-8: rename the file"]


# --------------------------------------------------------------------------- finding files


def test_iter_documents_order_and_skips(tmp_path: Path):
    root = tmp_path / "docs"
    for name in ["b.txt", "a/z.md", "a/b/c.html", "a-b.pdf", "A.DOCX", "page.htm", "sub/x.txt",
                 ".hidden.txt", ".git/config.txt", "image.png", "old.doc", "~$lock.docx", "README"]:
        write(root, name, "x")
    os.symlink(root, root / "sub" / "loop")  # a link loop
    os.symlink(root / "b.txt", root / "sub" / "link.txt")  # a second name for b.txt
    os.symlink(root / "missing.txt", root / "dangling.txt")
    os.mkfifo(root / "pipe.txt")

    documents, skipped = iter_documents([root])
    assert [p.relative_to(root).as_posix() for p in documents] == [
        "A.DOCX", "a/b/c.html", "a/z.md", "a-b.pdf", "b.txt", "page.htm", "sub/x.txt"]
    assert [(s.path.relative_to(root).as_posix(), s.reason) for s in skipped] == [
        (".git", "hidden folder"),
        (".hidden.txt", "hidden file"),
        ("README", "unsupported file type without extension (kg reads .txt .md .html .htm .docx .pdf)"),
        ("dangling.txt", "broken symbolic link"),
        ("image.png", "unsupported file type '.png' (kg reads .txt .md .html .htm .docx .pdf)"),
        ("old.doc", "legacy Word .doc: save it as .docx"),
        ("pipe.txt", "not a regular file"),
        ("sub/link.txt", f"same file as {root / 'b.txt'}"),
        ("sub/loop", f"folder already read as {root} (symbolic link loop?)"),
        ("~$lock.docx", "temporary Office lock file"),
    ]
    assert isinstance(skipped[0], Skipped)


def test_iter_documents_keeps_argument_order_and_explicit_files(tmp_path: Path):
    second = write(tmp_path, "z/2.txt", "二")
    first = write(tmp_path, "a/1.txt", "一")
    hidden = write(tmp_path, ".notes.txt", "注")
    documents, skipped = iter_documents([second.parent, first, hidden, first])
    assert documents == [second, first, hidden]  # named files are read even if hidden
    assert skipped == [Skipped(first, f"same file as {first}")]


def test_missing_path_is_a_clear_error(tmp_path: Path):
    with pytest.raises(IngestError, match=r"^no such file or folder: .*nowhere$"):
        iter_documents([tmp_path / "nowhere"])
    os.symlink(tmp_path / "gone", tmp_path / "link")
    with pytest.raises(IngestError, match="broken symbolic link"):
        iter_documents([tmp_path / "link"])
    assert reason_of(tmp_path / "absent.txt") == "file not found"
    assert reason_of(write(tmp_path, "image.png", "x")).startswith("unsupported file type '.png'")


def test_fifo_is_not_read(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would block forever
    assert reason_of(tmp_path / "pipe.txt") == "not a regular file"


# --------------------------------------------------------------------------- HTML

NEWS_PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>标题_网站</title><style>p {{ color: red }}</style>
<script>var 脚本 = "<p>不是正文</p>";</script></head>
<body>
<header><a href="/">网站首页</a></header>
<nav><ul><li>导航一</li><li>导航二</li></ul></nav>
<div class="breadcrumb">当前位置：首页 &gt; 新闻</div>
<div id="content">
  <h1>{title}</h1>
  <!-- 注释不是正文 -->
  <p>　　{first}</p>
  <p>为推动<b>人工智能</b>和数字
     重庆双向赋能，<a href="#">加快</a>建设&nbsp;高地。<br>第二行 text   with   spaces</p>
  <div style="display: none">隐藏的文字</div>
  <table><tr><th>区县</th><th>项目</th></tr><tr><td>江北区</td><td><p>数智工厂</p></td></tr></table>
  <pre>代码  第一行
  第二行</pre>
  <form><input value="搜索"><button>提交</button></form>
</div>
<aside>相关阅读</aside>
<footer>版权所有</footer>
<noscript>请启用脚本</noscript>
</body></html>"""


def test_html_main_text(tmp_path: Path, paragraphs: list[str]):
    page = NEWS_PAGE.format(title=paragraphs[0], first=paragraphs[3]).encode("gbk")
    source = read_document(write(tmp_path, "news.html", page))
    assert source.format == "html" and source.encoding == "gb18030"  # the label gb2312, widened
    assert source.text.split("\n") == [
        paragraphs[0],
        "　　" + paragraphs[3],  # full-width indentation is text, not markup whitespace
        "为推动人工智能和数字重庆双向赋能，加快建设\u00a0高地。",
        "第二行 text with spaces",
        "区县\t项目",
        "江北区\t数智工厂",
        "代码  第一行",
        "  第二行",
    ]


def test_html_main_element_wins_and_encodings(tmp_path: Path):
    body = "<body><div>目錄</div><main><p>{0}</p></main><div>聯繫</div></body>"
    page = f"<html><head><meta charset='utf-8'></head>{body.format(TRADITIONAL)}</html>"
    # The page says UTF-8 but is Big5 (a common lie): detection takes over.
    source = read_document(write(tmp_path, "a.htm", page.encode("big5")))
    assert source.text == TRADITIONAL and source.encoding == "big5hkscs"
    xhtml = f'<?xml version="1.0" encoding="GBK"?><html>{body.format(SIMPLIFIED)}</html>'
    source = read_document(write(tmp_path, "b.html", xhtml.encode("gbk")))
    assert source.text == SIMPLIFIED and source.encoding == "gb18030"
    source = read_document(write(tmp_path, "c.html", xhtml.encode("utf-16")))
    assert source.text == SIMPLIFIED and source.encoding == "utf-16-le"


def test_html_mislabelled_latin1_and_layout_tables(tmp_path: Path):
    page = ("<html><head><meta charset='iso-8859-1'></head><body><table><tr><td>"
            f"<p>{SIMPLIFIED}</p><p>第二段。</p></td></tr></table></body></html>")
    source = read_document(write(tmp_path, "gbk.html", page.encode("gbk")))
    assert source.encoding == "gb18030"
    assert source.text == SIMPLIFIED + "\n第二段。"  # a one-cell layout table keeps paragraphs
    latin = "<html><head><meta charset='iso-8859-1'></head><body><p>Région, café</p></body></html>"
    source = read_document(write(tmp_path, "latin.html", latin.encode("latin-1")))
    assert (source.text, source.encoding) == ("Région, café", "cp1252")


def test_html_without_text(tmp_path: Path):
    page = "<html><head><title>标题</title><script>alert('x')</script></head><body><nav>导航</nav></body></html>"
    assert reason_of(write(tmp_path, "empty.html", page)) == "no text found in the HTML file"
    assert reason_of(write(tmp_path, "space.html", "  \n ")) == "no text found in the HTML file"


def test_html_with_a_huge_text_node(tmp_path: Path):
    line = "长" * 3_000_000  # over libxml2's default 10 MB limit on one text node
    source = read_document(write(tmp_path, "long.html", f"<p>{line}</p><p>尾</p>"))
    assert source.text == line + "\n尾"


# --------------------------------------------------------------------------- Word


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "区县", "项目", "金额"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "江北区"  # vertically merged
    table.cell(1, 1).merge(table.cell(1, 2)).text = "数智工厂"  # horizontally merged
    table.cell(2, 1).text, table.cell(2, 2).text = "算力中心", "5亿元"
    document.add_paragraph("表后一段。")
    document.sections[0].header.paragraphs[0].text = "页眉不是正文"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables(tmp_path: Path, paragraphs: list[str]):
    source = read_document(write(tmp_path, "policy.docx", make_docx(paragraphs)))
    assert (source.format, source.encoding) == ("docx", "docx")
    # one line per paragraph or table row, a blank line between them
    assert source.text.split("\n\n") == paragraphs + [
        "区县\t项目\t金额",
        "江北区\t数智工厂",
        "\t算力中心\t5亿元",
        "表后一段。",
    ]


def test_broken_docx_files(tmp_path: Path, paragraphs: list[str]):
    good = make_docx(paragraphs)
    assert reason_of(write(tmp_path, "cut.docx", good[: len(good) // 2])).startswith("damaged .docx file")
    assert reason_of(write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))) == (
        "not a .docx: this is a legacy Word .doc or a password-protected file")
    assert reason_of(write(tmp_path, "text.docx", "其实是文本")) == "not a .docx file (not a ZIP archive)"
    assert reason_of(write(tmp_path, "pic.docx", b"\x89PNG\r\n\x1a\n" + bytes(20))) == (
        "not a .docx file (looks like PNG image)")
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(3 * 1024 * 1024))  # 3 MB of zeros, deflated to ~3 KB
    reason = reason_of(write(tmp_path, "bomb.docx", buffer.getvalue()), max_bytes=100_000)
    assert reason == "the .docx expands to 3 MB, over 20× the 97.7 KB limit (raise --max-size)"


# --------------------------------------------------------------------------- PDF


def make_pdf(paragraphs: list[str], font: str, space_before: float = 0) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    if font == "STSong-Light":  # Adobe CID font, not embedded: no font file needed
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    else:  # an embedded TrueType subset, as most real PDFs have
        pdfmetrics.registerFont(TTFont(font, str(WQY_FONT), subfontIndex=0))

    def page_number(canvas, doc):
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")

    style = ParagraphStyle("zh", fontName=font, fontSize=11, leading=16, wordWrap="CJK", spaceBefore=space_before)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(
        [Paragraph(p.replace("&", "&amp;").replace("<", "&lt;"), style) for p in paragraphs],
        onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


@pytest.mark.parametrize("font", ["STSong-Light", "WenQuanYi"])
def test_pdf_text_layer_keeps_paragraphs(tmp_path: Path, paragraphs: list[str], font: str):
    if font == "WenQuanYi" and not WQY_FONT.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install the Debian package fonts-wqy-zenhei")
        pytest.skip("needs the Debian package fonts-wqy-zenhei")
    source = read_document(write(tmp_path, "policy.pdf", make_pdf(paragraphs, font)))
    assert (source.format, source.encoding, source.warnings) == ("pdf", "pdf", ())
    lines = source.text.split("\n")
    assert "".join(lines) == "".join(paragraphs)  # nothing lost, nothing added (page numbers)
    assert lines[:3] == paragraphs[:3]  # headings stay lines of their own
    # The printed line wrapping is undone: a line break is left only where the source
    # has a paragraph break or a sentence ends; a paragraph break is lost only where
    # the source paragraph ends mid-sentence (its last printed line looks wrapped).
    text = "".join(paragraphs)
    source_breaks, output_breaks = _offsets(paragraphs), _offsets(lines)
    sentence_ends = {i for i in range(1, len(text)) if text[i - 1] in "。！？；：”）"}
    assert output_breaks - source_breaks <= sentence_ends
    assert not (source_breaks - output_breaks) & sentence_ends
    assert len(output_breaks - source_breaks) < len(paragraphs)  # most lines were joined
    assert not any(re.fullmatch(r"- \d+ -", line) for line in lines)


def test_pdf_paragraph_spacing_becomes_a_blank_line(tmp_path: Path, paragraphs: list[str]):
    """Paragraph spacing in the layout is kept as a blank line, so the normaliser does not
    join a heading to the line under it; plain line spacing is not."""
    spaced = read_document(write(tmp_path, "spaced.pdf", make_pdf(paragraphs, "STSong-Light", space_before=10)))
    assert spaced.text.split("\n\n")[:3] == paragraphs[:3]
    assert "".join(spaced.text.split()) == "".join("".join(paragraphs).split())
    tight = read_document(write(tmp_path, "tight.pdf", make_pdf(paragraphs, "STSong-Light")))
    assert "\n\n" not in tight.text


def _offsets(pieces: list[str]) -> set[int]:
    """Where, in the concatenation of ``pieces``, one piece ends and the next begins."""
    ends, total = set(), 0
    for piece in pieces[:-1]:
        total += len(piece)
        ends.add(total)
    return ends


def test_pdf_problems(tmp_path: Path, paragraphs: list[str]):
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    scan = canvas.Canvas(buffer)
    scan.rect(100, 100, 300, 400, fill=1)  # a "scanned" page: drawing, no text
    scan.showPage()
    scan.save()
    assert reason_of(write(tmp_path, "scan.pdf", buffer.getvalue())) == "PDF has no text layer (scanned pages?)"

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(paragraphs[:3], "STSong-Light"))))
    writer.encrypt("secret", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    assert reason_of(write(tmp_path, "locked.pdf", locked.getvalue())) == "PDF is password-protected"

    assert reason_of(write(tmp_path, "junk.pdf", b"%PDF-1.4\n\xff\xfe garbage")).startswith("damaged PDF file")
    assert reason_of(write(tmp_path, "text.pdf", "只是文本")) == "not a PDF file (no PDF header)"


def test_pdf_with_a_blank_page_warns(tmp_path: Path, paragraphs: list[str]):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(paragraphs[:2], "STSong-Light"))))
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    source = read_document(write(tmp_path, "mixed.pdf", out.getvalue()))
    assert source.text.split("\n") == paragraphs[:2]
    assert source.warnings == ("1 of 2 PDF pages have no text layer (scanned?): page 2",)


def test_unwrap_lines():
    full = "一" * 30
    pages = [["标题", full, full, "一二。", full + "。", "下一段"], [full, "续完。"]]
    assert unwrap_lines(pages) == ["标题", full * 2 + "一二。", full + "。", "下一段", full + "续完。"]
    english = ["Wrapped english text that is long enough", "and the next one is nearly as long as",
               "the first so that it shows wrapping of", "lines"]
    assert unwrap_lines([english]) == [" ".join(english)]
    # Two headings of similar width are no evidence of wrapping.
    assert unwrap_lines([["重庆加快建设全国人工智能应用高地", "图为重庆长安汽车数智工厂"]]) == [
        "重庆加快建设全国人工智能应用高地", "图为重庆长安汽车数智工厂"]


# --------------------------------------------------------------------------- properties

# No surrogates: they cannot be encoded. No NUL in UTF-8: a NUL byte marks a binary file.
any_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1)


@given(any_text)
def test_utf8_roundtrip(text: str):
    data = text.encode("utf-8")
    assume("\x00" not in text and not text.startswith("\ufeff"))  # a leading U+FEFF is a BOM
    assume(not data.startswith((b"%PDF-", b"GIF87a", b"GIF89a", b"{\\rtf", b"\xff\xd8\xff")))  # real signatures
    assert decode_bytes(data).text == text


@given(any_text)
def test_utf16_roundtrip(text: str):
    assert decode_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be")).text == text
    # FF FE 00 00 also starts UTF-32-LE; a UTF-16 text starting with U+0000 is ambiguous.
    assume(not text.startswith("\x00"))
    assert decode_bytes(text.encode("utf-16")).text == text


def _corpus_snippets() -> st.SearchStrategy[str]:
    """Stretches of real Chinese prose (simplified or traditional) with ASCII noise."""
    import opencc

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt")))
    texts = [text, opencc.OpenCC("s2twp").convert(text)]

    @st.composite
    def snippet(draw) -> str:
        source = draw(st.sampled_from(texts))
        length = draw(st.integers(12, 400))
        start = draw(st.integers(0, len(source) - length))
        chunk = source[start:start + length]
        noise = draw(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=5))
        cut = draw(st.integers(0, len(chunk)))
        return chunk[:cut] + noise + chunk[cut:]

    return snippet()


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_corpus_snippets(), st.sampled_from(["gb18030", "gbk", "big5"]))
def test_chinese_legacy_encodings_roundtrip(text: str, encoding: str):
    assume(sum("\u4e00" <= c <= "\u9fff" for c in text) >= 12)  # short texts are ambiguous
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)  # not encodable (simplified text in Big5, say)
    assert normalise_newlines(decode_bytes(data).text) == normalise_newlines(text)
