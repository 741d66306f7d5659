"""Reading documents from disk: which files to read, and the text each one holds.

Policy documents arrive as PDF and Word files, news as saved HTML pages, often in GBK
or Big5 and sometimes broken. This stage turns each file into a :class:`Source`: its
plain text (with ``\\n`` line endings; later stages' offsets refer to it) plus where it
came from. Anything that cannot be read raises :class:`IngestError` with a message
written for the user ("empty file", "binary file (looks like PNG image)").

Two entry points:

* :func:`iter_documents` finds the files under the paths a user gave, sorted, with the
  ones it skipped and why (so a build report can list them).
* :func:`read_document` reads one file.

Text is not otherwise changed here: traditional characters stay traditional and
full-width characters stay full-width (``kg.normalize`` handles both, keeping offsets).

Example:
    >>> found = iter_documents([Path("corpus")])           # doctest: +SKIP
    >>> source = read_document(found.documents[0], max_bytes=DEFAULT_MAX_BYTES)  # doctest: +SKIP
"""
from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from kg.errors import KgError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Suffix -> Source.format. Compared case-insensitively (REPORT.PDF is a PDF).
FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}
SUPPORTED_SUFFIXES = tuple(FORMATS)

# Suffixes users commonly have that kg could read after a conversion: say which one.
_CONVERSION_HINTS = {
    ".doc": "legacy Word .doc: save it as .docx",
    ".wps": "WPS document: save it as .docx",
    ".rtf": "RTF document: save it as .docx or plain text",
    ".xls": "spreadsheet: kg reads documents, not tables",
    ".xlsx": "spreadsheet: kg reads documents, not tables",
    ".ofd": "OFD document: export it as PDF",
}


class IngestError(KgError):
    """A file that cannot be read as a document; the message says why, for the user.

    ``reason`` is the message alone (without the path), for a build report's table.
    """

    def __init__(self, reason: str, *, hint: str = "", code: str = "") -> None:
        super().__init__(reason, hint=hint, code=code)
        self.reason = reason


@dataclass(frozen=True)
class Source:
    """One document as read from disk.

    ``text`` is the extracted text with ``\\n`` line endings; every later offset refers
    to it. ``encoding`` is the codec the bytes were decoded with (``utf-8``,
    ``utf-8-sig``, ``utf-16-le``, ``gb18030`` for GBK/GB2312 too, ``big5hkscs`` for
    Big5 too), or the container's for .docx/.pdf. ``sha256`` and ``size`` describe the
    raw bytes of the file. ``warnings`` are problems worked around, worth a line in the
    build report ("2 invalid byte sequences replaced with U+FFFD").
    """

    name: str
    path: str
    text: str
    encoding: str
    format: str
    sha256: str
    size: int
    warnings: tuple[str, ...] = ()


class Decoded(NamedTuple):
    """Text decoded from bytes; ``replaced`` counts invalid sequences turned into U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0


class Skipped(NamedTuple):
    """A path :func:`iter_documents` did not return, and why (for the build report)."""

    path: Path
    reason: str


class DocumentList(NamedTuple):
    """What :func:`iter_documents` found: unpacks as ``documents, skipped = ...``."""

    documents: list[Path]
    skipped: list[Skipped]


# --------------------------------------------------------------------------- finding


def iter_documents(paths: Sequence[Path | str]) -> DocumentList:
    """The document files under ``paths``, in a deterministic order.

    Each path is a file or a folder (read recursively). Files come in the order the
    paths were given, and within a folder sorted by their path relative to it. Hidden
    files and folders (``.name``), Office lock files (``~$name``), unsupported suffixes,
    special files (FIFOs, devices), file names that are not valid UTF-8, and a second
    path to a file already listed are skipped and reported. Symbolic links are followed,
    each folder at most once, so link loops end.

    paths (Sequence[Path | str]): files and folders the user named.
    RETURNS (DocumentList): ``documents`` (list[Path]) and ``skipped`` (list[Skipped]).
    RAISES IngestError: a path does not exist (or is a broken link).
    """
    documents: list[Path] = []
    skipped: list[Skipped] = []
    seen_files: dict[tuple[int, int], Path] = {}
    seen_dirs: dict[tuple[int, int], Path] = {}
    for given in map(Path, paths):
        try:
            info = given.stat()
        except FileNotFoundError:
            if given.is_symlink():
                raise IngestError(f"broken symbolic link: {given} (points to {os.readlink(given)})") from None
            raise IngestError(f"no such file or folder: {given}",
                              hint="Check the path; folders are read recursively.") from None
        except OSError as err:
            raise IngestError(f"cannot open {given}: {err.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            files, skipped_here = _walk(given, info, seen_dirs)
            explicit = False
        else:
            files, skipped_here = [(given, info)], []
            explicit = True  # a file the user named is read even if hidden
        for path, file_info in files:
            reason = _skip_reason(path, file_info, explicit=explicit)
            if reason is None:
                identity = (file_info.st_dev, file_info.st_ino)
                if identity in seen_files:
                    reason = f"same file as {seen_files[identity]}"
                else:
                    seen_files[identity] = path
                    documents.append(path)
                    continue
            skipped_here.append(Skipped(path, reason))
        skipped.extend(sorted(skipped_here, key=lambda item: item.path.parts))
    return DocumentList(documents, skipped)


def _walk(root: Path, root_info: os.stat_result, seen_dirs: dict[tuple[int, int], Path],
          ) -> tuple[list[tuple[Path, os.stat_result]], list[Skipped]]:
    """Every file under ``root`` (sorted by relative path), and the folders skipped.

    Folders are identified by (device, inode): a folder reached a second time (a link
    loop, or two links to one folder) is skipped instead of read again.
    """
    files: list[tuple[tuple[str, ...], Path, os.stat_result]] = []
    skipped: list[Skipped] = []
    stack: list[tuple[Path, os.stat_result, tuple[str, ...]]] = [(root, root_info, ())]
    while stack:
        folder, info, rel = stack.pop()
        identity = (info.st_dev, info.st_ino)
        if identity in seen_dirs:
            skipped.append(Skipped(folder, f"folder already read as {seen_dirs[identity]} (symbolic link loop?)"))
            continue
        seen_dirs[identity] = folder
        try:
            with os.scandir(folder) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as err:
            skipped.append(Skipped(folder, f"cannot list folder: {err.strerror}"))
            continue
        subfolders = []
        for name in names:
            path = folder / name
            child_rel = rel + (name,)
            try:
                child = path.stat()
            except OSError:
                reason = "broken symbolic link" if path.is_symlink() else "cannot read file information"
                skipped.append(Skipped(path, reason))
                continue
            if stat.S_ISDIR(child.st_mode):
                if name.startswith("."):
                    skipped.append(Skipped(path, "hidden folder"))
                else:
                    subfolders.append((path, child, child_rel))
            else:
                files.append((child_rel, path, child))
        stack.extend(reversed(subfolders))
    files.sort(key=lambda item: item[0])
    return [(path, info) for _, path, info in files], skipped


def _skip_reason(path: Path, info: os.stat_result, *, explicit: bool) -> str | None:
    """Why ``path`` is not a document to read, or None if it is one."""
    name = path.name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8: rename the file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if not explicit and name.startswith("."):
        return "hidden file"
    if name.startswith("~$"):
        return "temporary Office lock file"
    if path.suffix.lower() in FORMATS:
        return None
    return _unsupported_reason(path)


def _unsupported_reason(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CONVERSION_HINTS:
        return _CONVERSION_HINTS[suffix]
    kind = f"'{suffix}'" if suffix else "without extension"
    return f"unsupported file type {kind} (kg reads {' '.join(SUPPORTED_SUFFIXES)})"


# --------------------------------------------------------------------------- reading


def read_document(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one document file and extract its text.

    The format comes from the suffix (see :data:`FORMATS`); the file's size is checked
    against ``max_bytes`` before anything is read.

    path (Path | str): the file.
    max_bytes (int): largest file accepted, in bytes.
    RETURNS (Source): the text and where it came from.
    RAISES IngestError: the file is missing, too large, empty, binary, undecodable,
        damaged, or holds no text.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(_unsupported_reason(path))
    data = _read_bytes(path, max_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    size = len(data)
    warnings: list[str] = []
    if fmt in ("txt", "md", "html"):
        text, encoding, replaced = decode_bytes(data) if fmt != "html" else html_to_text(data)
        if replaced:
            warnings.append(f"{replaced} invalid byte sequence{'s' if replaced > 1 else ''} in {encoding} "
                            "replaced with U+FFFD (damaged file?)")
    elif fmt == "docx":
        text, encoding = _docx_to_text(data, max_bytes), "docx"
    else:
        text, encoding = _pdf_to_text(data, warnings), "pdf"
    del data  # the raw bytes can be large; only the text lives on
    text = normalise_newlines(text)
    if not text.strip():
        raise IngestError("no text (the file holds only whitespace)" if fmt in ("txt", "md")
                          else f"no text found in the {fmt.upper()} file")
    return Source(name=path.name, path=str(path), text=text, encoding=encoding, format=fmt,
                  sha256=sha256, size=size, warnings=tuple(warnings))


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing files over ``max_bytes`` before reading them."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Reading a FIFO or a device could block forever or never end.
            raise IngestError("not a regular file")
        if info.st_size > max_bytes:
            raise _too_large(info.st_size, max_bytes)
        with path.open("rb") as handle:
            # One more byte than allowed tells a file that grew since stat() apart.
            data = handle.read(min(info.st_size, max_bytes) + 1)
            if len(data) > info.st_size and len(data) <= max_bytes:
                data += handle.read(max_bytes + 1 - len(data))
    except FileNotFoundError:
        raise IngestError("file not found") from None
    except IsADirectoryError:
        raise IngestError("is a folder, not a file") from None
    except PermissionError:
        raise IngestError("permission denied") from None
    except OSError as err:
        raise IngestError(f"cannot read file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    if not data:
        raise IngestError("empty file")
    return data


def _too_large(size: int, max_bytes: int) -> IngestError:
    return IngestError(f"file is {_human_size(size)}, over the {_human_size(max_bytes)} limit (raise --max-size)")


def _human_size(n: int) -> str:
    """73.4 MB, 50 MB, 900 KB, 12 bytes: binary units, as the --max-size option counts."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n`` (copies the text only when needed)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:  # a second pass (and copy) only for old Mac files
            text = text.replace("\r", "\n")
    return text


# --------------------------------------------------------------------------- binary sniffing

# (offset, signature, what it is). Checked on every file: none of these starts a text.
_MAGIC = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"%PDF-", "PDF document"),
    (0, b"PK\x03\x04", "ZIP archive or Office document"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (.doc/.xls) or encrypted Office file"),
    (0, b"\x1f\x8b", "gzip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"{\\rtf", "RTF document"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (8, b"WEBP", "WebP image"),
    (4, b"ftyp", "MP4/QuickTime video"),
)
# Only trusted together with NUL bytes: these also start ordinary text ("MZ...", "BM...").
_WEAK_MAGIC = (
    (0, b"MZ", "Windows executable"),
    (0, b"BM", "BMP image"),
    (0, b"ID3", "MP3 audio"),
    (0, b"RIFF", "RIFF media file"),
)


def sniff_binary(data: bytes) -> str | None:
    """What kind of binary file ``data`` is ("PNG image"), or None if it may be text.

    Known signatures first, then NUL bytes, which text in an 8-bit encoding never has
    (callers check for UTF-16/32 byte-order marks before calling this).
    """
    for offset, magic, kind in _MAGIC:
        if data.startswith(magic, offset):
            return kind
    if b"\x00" in data:
        for offset, magic, kind in _WEAK_MAGIC:
            if data.startswith(magic, offset):
                return kind
        return "contains NUL bytes"
    return None


# --------------------------------------------------------------------------- decoding

_BOMS = (  # longest first: the UTF-32-LE mark starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Tried in this order when the bytes are not UTF-8; a tie in plausibility goes to the
# first (mainland documents outnumber Taiwanese and Hong Kong ones in this domain).
# gb18030 decodes GB2312 and GBK too; big5hkscs decodes Big5 and cp950's extensions.
_CJK_CODECS = ("gb18030", "big5hkscs")
_SAMPLE_BYTES = 64 * 1024
# Below this share of plausible characters a decoding is garbage (mojibake scores
# about 0.3-0.6 on real text, right decodings 0.95 and more).
_MIN_PLAUSIBILITY = 0.75
_CANNOT_DECODE = "cannot decode: not UTF-8/UTF-16/GB18030/Big5"


def decode_bytes(data: bytes) -> Decoded:
    """Decode the bytes of a text file, detecting the encoding.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32). Otherwise binary files are
    refused, valid UTF-8 is UTF-8, and GB18030 and Big5 (which accept many of the same
    byte strings) are told apart by how plausible each decoding is as Chinese text: the
    wrong one yields rare characters, private-use code points, kana and box drawing.
    This cascade of strict decodings measured far better than charset-normalizer on
    short Chinese texts, and is deterministic. A damaged file (a truncated last character, a stray
    byte) is still read if at most about one character in a thousand is invalid: the
    invalid sequences become U+FFFD and are counted in ``replaced``.

    data (bytes): the raw file content.
    RETURNS (Decoded): the text (line endings untouched), the codec name and the
        number of invalid sequences replaced with U+FFFD.
    RAISES IngestError: binary data, or no encoding decodes it plausibly.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec.startswith("utf-32") and not _is_utf32(data[len(bom):], codec):
                continue  # UTF-16-LE text beginning with U+0000
            text = data[len(bom):].decode(codec.removesuffix("-sig"), "replace")
            replaced = text.count("\ufffd")
            if replaced > _max_replaced(text):
                raise IngestError(f"cannot decode: starts with a {codec.upper().removesuffix('-SIG')} "
                                  f"byte-order mark but {replaced} byte sequences are invalid")
            return Decoded(text, codec, replaced)
    kind = sniff_binary(data)
    if kind is not None:
        raise IngestError(f"binary file ({'looks like ' + kind if kind != 'contains NUL bytes' else kind})",
                          hint=_binary_hint(kind))
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data)


def _is_utf32(data: bytes, codec: str) -> bool:
    """Whether bytes after an FF FE 00 00 mark are UTF-32 (judged on a sample)."""
    if len(data) % 4:
        return False
    try:
        data[:_SAMPLE_BYTES].decode(codec)  # _SAMPLE_BYTES is a multiple of 4
    except UnicodeDecodeError:
        return False
    return True


def _binary_hint(kind: str) -> str:
    if kind == "PDF document":
        return "Rename it to .pdf."
    if kind.startswith("ZIP"):
        return "A Word file must be named .docx."
    if kind == "RTF document":
        return "Save it as .docx or plain text."
    return ""


def _max_replaced(text: str) -> int:
    """How many U+FFFD a damaged but usable text may hold: about one in a thousand."""
    return 1 + len(text) // 1000


def _decode_legacy(data: bytes) -> Decoded:
    """Bytes that are not valid UTF-8: GB18030 or Big5, else damaged UTF-8.

    Candidates are ranked on a sample (so a 50 MB file is not decoded once per codec):
    fewest invalid sequences first, then most plausible, then the order of
    :data:`_CJK_CODECS`. Only the winner decodes the whole file.
    """
    sample = data[:_SAMPLE_BYTES]
    whole = len(sample) == len(data)
    ranked = []
    for order, codec in enumerate((*_CJK_CODECS, "utf-8")):
        # final only if the sample is all of it: the cut may split a character
        text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final=whole)
        replaced = text.count("\ufffd")
        score = plausibility(text)  # U+FFFD counts against, as a symbol
        if replaced <= _max_replaced(text) and score >= _MIN_PLAUSIBILITY:
            ranked.append((replaced, -score, order, codec))
    for _, _, _, codec in sorted(ranked):
        text = _decode_in_chunks(data, codec)
        replaced = text.count("\ufffd")
        if replaced <= _max_replaced(text):
            return Decoded(text, codec, replaced)
    raise IngestError(_CANNOT_DECODE, hint="Save the file as UTF-8.")


_CHUNK_BYTES = 1 << 20


def _decode_in_chunks(data: bytes, codec: str) -> str:
    """``data.decode(codec, "replace")`` without its transient copies.

    CPython's CJK and error-replacing decoders size their output buffer for the worst
    case, about three times the input, for the whole input at once; chunk by chunk that
    overhead stays a few MB and the peak is the parts plus the joined text.
    """
    decoder = codecs.getincrementaldecoder(codec)("replace")
    view = memoryview(data)
    parts = [decoder.decode(view[start:start + _CHUNK_BYTES]) for start in range(0, len(data), _CHUNK_BYTES)]
    parts.append(decoder.decode(b"", final=True))
    return "".join(parts)


def _decode_range(codec: str, leads: Iterable[int], trails: Iterable[int]) -> set[str]:
    trails = list(trails)
    chars = set()
    for lead in leads:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                pass
    return chars


# The 3755 most used simplified characters (GB2312 level 1, rows 0xB0-0xD7) and the
# 5401 most used traditional ones (Big5 "常用字", 0xA440-0xC67E), taken from the codecs
# themselves so no word list has to be shipped.
# Built on first use (about 30 ms), so importing kg stays fast.
@cache
def _common_hanzi() -> frozenset[str]:
    return frozenset(
        _decode_range("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))
        | _decode_range("big5", range(0xA4, 0xC6), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
        | _decode_range("big5", [0xC6], range(0x40, 0x7F))
    )



_COMMON_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·％－　")


def _is_hanzi(char: str) -> bool:
    """CJK unified ideographs, extension A, B and later, and compatibility ideographs."""
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x3FFFF \
        or 0xF900 <= code <= 0xFAFF


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that are likely in Chinese prose.

    Common hanzi (simplified or traditional) and CJK punctuation count for, anything
    else counts against: private-use and unassigned code points (what a wrong codec
    produces most) three times, other symbols (kana, box drawing, Cyrillic in running
    Chinese) once. Rare hanzi count neither way. ASCII is ignored, as every candidate
    codec decodes it the same. Text without non-ASCII characters scores 1.
    """
    common = _common_hanzi()
    good = bad = total = 0
    for char in text:
        if char < "\x80":
            continue
        total += 1
        if char in common or char in _COMMON_PUNCTUATION:
            good += 1
        elif _is_hanzi(char):
            pass
        elif unicodedata.category(char) in ("Co", "Cn", "Cc"):
            bad += 3
        else:
            bad += 1
    return 1.0 if total == 0 else (good - bad) / total


# --------------------------------------------------------------------------- HTML

_HTML_DECLARED = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)|<\?xml[^>]+?encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# What browsers do with these labels (WHATWG Encoding): decode with the superset.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs",
             "cp950": "big5hkscs", "latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}
# Removed with their content: never main text.
_DROP_TAGS = ("head", "script", "style", "noscript", "template", "nav", "header", "footer",
              "aside", "iframe", "svg", "math", "canvas", "button", "input", "select", "option",
              "textarea", "object", "embed", "audio", "video", "map")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "menu", "menubar"}
# Class or id tokens that name navigation on Chinese portal pages too; exact tokens
# only, so "article-header" or "main-nav-free" content is never dropped by accident.
_DROP_CLASSES = {"nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumb", "footer", "sidebar",
                 "share", "copyright", "skip-link"}
_BLOCK_TAGS = frozenset(
    "address article blockquote body caption center dd details dialog div dl dt fieldset figcaption "
    "figure form h1 h2 h3 h4 h5 h6 hr html legend li main ol p pre section summary table tbody "
    "tfoot thead tr ul".split()
)
_CELL_TAGS = frozenset({"td", "th"})
_CELL_MARK = "\x1f"  # survives whitespace collapsing; becomes a tab between table cells
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# CSS Text 3: a line break in the source between two wide (CJK) characters renders as
# nothing, not as a space, so "重庆\n市" in the markup reads "重庆市".
_CJK_SEGMENT_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f])"
                                r"[ \t]*[\r\n][ \t\r\n]*"
                                r"(?=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f])")


def html_to_text(data: bytes) -> Decoded:
    """The main text of an HTML page, one block (paragraph, heading, list item) a line.

    The encoding comes from a byte-order mark, else the page's own ``<meta charset>``
    (if the bytes decode with it), else detection as for text files. Scripts, styles,
    navigation, headers, footers, asides and form controls are dropped; if the page
    marks its main content (``<main>``, or a single ``<article>``) only that is kept.
    Table cells are separated by tabs, ``<pre>`` keeps its line breaks.

    data (bytes): the raw page.
    RETURNS (Decoded): the text, the codec the page was decoded with, and how many
        invalid byte sequences were replaced.
    """
    text, encoding, replaced = _decode_html(data)
    from lxml import etree
    from lxml import html as lxml_html

    # Re-encoded as UTF-8 and said so, libxml2 ignores the page's (possibly wrong)
    # charset declaration; huge_tree lifts libxml2's 10 MB limit on one text node.
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  huge_tree=True, no_network=True)
    try:
        root = lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):
        return Decoded("", encoding, replaced)  # "Document is empty": no elements at all
    _drop_boilerplate(root)
    main = root.find(".//main")
    if main is None:
        articles = root.findall(".//article")
        main = articles[0] if len(articles) == 1 else root
    return Decoded(_element_text(main), encoding, replaced)


def _decode_html(data: bytes) -> Decoded:
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return decode_bytes(data)
    match = _HTML_DECLARED.search(data[:4096])
    if match:
        label = (match.group(1) or match.group(2)).decode("ascii").lower()
        try:
            codec = codecs.lookup(label).name
        except LookupError:
            codec = None
        # A page in UTF-16 cannot declare it in ASCII: browsers ignore such a label too.
        if codec and not codec.startswith(("utf-16", "utf-32")):
            codec = _SUPERSET.get(codec, codec)
            if codec == "cp1252" and not data.isascii():
                # Chinese sites often leave a template's iso-8859-1 label on GBK pages;
                # believe the label only if no Chinese encoding fits.
                try:
                    return decode_bytes(data)
                except IngestError:
                    pass
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError:
                pass  # the declaration lies (a common sight): detect instead
    return decode_bytes(data)


def _drop_boilerplate(root) -> None:
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        names = (element.get("class", "") + " " + element.get("id", "")).lower().split()
        if (element.tag in _DROP_TAGS
                or element.get("hidden") is not None
                or element.get("aria-hidden") == "true"
                or element.get("role", "").lower() in _DROP_ROLES
                or _DROP_CLASSES.intersection(names)
                or "display:none" in element.get("style", "").replace(" ", "").lower()):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the element's tail text, which belongs to the parent


def _element_text(root) -> str:
    """Lay the element's text out as lines: blocks break lines, inline text flows."""
    from lxml import etree

    lines: list[str] = []
    inline: list[str] = []  # pieces of the line being built
    pre_depth = 0

    def flush() -> None:
        raw = "".join(inline)
        inline.clear()
        raw = _CJK_SEGMENT_BREAK.sub("", raw)
        line = _HTML_SPACE.sub(" ", raw)
        line = re.sub(f" ?{_CELL_MARK} ?", _CELL_MARK, line).strip(f" {_CELL_MARK}")
        if line:
            lines.append(line.replace(_CELL_MARK, "\t"))

    # Inside a cell of a row with several cells, the row is the line: blocks and line
    # breaks there are spaces. A row of one cell is page layout (whole articles sit in
    # such cells on older sites), and its paragraphs stay lines.
    data_cells = 0

    def line_break() -> None:
        if data_cells:
            inline.append(" ")
        else:
            flush()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _CELL_TAGS and _is_data_cell(element):
                data_cells += 1
            if tag in _BLOCK_TAGS:
                line_break()
            if tag == "pre":
                pre_depth += 1
            if tag == "br":
                if pre_depth and not data_cells:
                    _add_inline(inline, "\n", pre_depth, lines)
                else:
                    line_break()
            if element.text:
                _add_inline(inline, element.text, 0 if data_cells else pre_depth, lines)
        else:
            if tag == "pre":
                pre_depth -= 1
                if not data_cells:
                    _add_inline(inline, "\n", 1, lines)  # its last line, spaces kept
            if tag in _BLOCK_TAGS:
                line_break()
            elif tag in _CELL_TAGS:
                if _is_data_cell(element):
                    data_cells -= 1
                inline.append(_CELL_MARK)
            if element.tail and element is not root:
                _add_inline(inline, element.tail, 0 if data_cells else pre_depth, lines)
    flush()
    return "\n".join(lines)


def _is_data_cell(cell) -> bool:
    """Whether a td/th shares its row with other cells (a table of data, not layout)."""
    row = cell.getparent()
    return row is not None and sum(1 for sibling in row if sibling.tag in _CELL_TAGS) > 1


def _add_inline(inline: list[str], text: str, pre_depth: int, lines: list[str]) -> None:
    """Add text to the current line; inside <pre> its own line breaks are kept."""
    text = text.replace("\x00", "")
    if not pre_depth:
        inline.append(text)
        return
    # Preformatted: each source line becomes a line, spaces kept.
    *complete, rest = normalise_newlines(text).split("\n")
    for piece in complete:
        inline.append(piece)
        raw = "".join(inline)
        inline.clear()
        if raw.strip():
            lines.append(raw.rstrip())
    inline.append(rest)


# --------------------------------------------------------------------------- Word (.docx)

# A .docx is a ZIP archive; refuse ones that expand to more than this many times the
# size limit (zip bombs) before python-docx inflates them in memory.
_MAX_DOCX_EXPANSION = 20


def _docx_to_text(data: bytes, max_bytes: int) -> str:
    """Body paragraphs and tables of a Word document, in document order.

    A paragraph is a line (its manual line breaks stay); a table row is a line with
    cells separated by tabs, each merged cell once; a row that is one cell (Chinese
    documents often lay whole pages out that way) gives its paragraphs as lines.
    Headers, footers, footnotes and comments are not main text and are left out.
    Lines are separated by a blank line: a paragraph break is a stronger sign of the end of
    a sentence than a line break, so the normaliser only rejoins long unpunctuated
    paragraphs (a Word file made from OCR, one line a paragraph), not a heading and the
    caption under it.
    """
    if not data.startswith(b"PK\x03\x04"):
        kind = sniff_binary(data)
        if kind and kind.startswith("legacy Office"):
            raise IngestError("not a .docx: this is a legacy Word .doc or a password-protected file",
                              hint="Open it in Word or LibreOffice and save it as .docx (without a password).")
        raise IngestError(f"not a .docx file ({'looks like ' + kind if kind else 'not a ZIP archive'})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as err:
        raise IngestError(f"damaged .docx file ({err})") from None
    if expanded > _MAX_DOCX_EXPANSION * max_bytes:
        raise IngestError(f"the .docx expands to {_human_size(expanded)}, over "
                          f"{_MAX_DOCX_EXPANSION}× the {_human_size(max_bytes)} limit (raise --max-size)")
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            else:
                lines.extend(_table_lines(block))
    except IngestError:
        raise
    except Exception as err:  # python-docx raises KeyError, ValueError, lxml errors... on broken files
        message = str(err)
        if "content type is" in message and "spreadsheet" in message:
            raise IngestError("not a Word document (looks like an Excel workbook renamed .docx)") from None
        raise IngestError(f"damaged .docx file ({type(err).__name__}: {message})") from None
    return "\n\n".join(lines).replace("\x00", "")


def _table_lines(table, seen: set | None = None) -> list[str]:
    """A table's rows as lines; a merged cell's text only where the merge starts."""
    # python-docx hands out the same cell again for each grid position a merge covers.
    # lxml returns the same element object for a node while one is referenced, so a
    # set of the cells' elements (not of id()s, which get reused) recognises them.
    seen = set() if seen is None else seen
    lines: list[str] = []
    for row in table.rows:
        row_cells = row.cells
        if len({cell._tc for cell in row_cells}) == 1:
            # One cell across the row: a layout table (whole documents are laid out
            # so), whose paragraphs stay lines.
            if row_cells and row_cells[0]._tc not in seen:
                seen.add(row_cells[0]._tc)
                lines.extend(_cell_blocks(row_cells[0], seen))
            continue
        texts: list[str] = []
        previous = None
        for cell in row_cells:
            if cell._tc is previous:
                continue  # merged across columns: one column
            previous = cell._tc
            if cell._tc in seen:
                texts.append("")  # merged down from the row above: keep the column empty
                continue
            seen.add(cell._tc)
            text = " ".join(part.strip() for part in _cell_blocks(cell, seen) if part.strip())
            texts.append(re.sub(r"[\t\n]+", " ", text))  # tabs and newlines delimit cells and rows
        if any(texts):
            lines.append("\t".join(texts).rstrip("\t"))
    return lines


def _cell_blocks(cell, seen: set) -> list[str]:
    """The paragraphs of a table cell and the rows of tables nested in it, as lines."""
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in cell.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.extend(_table_lines(block, seen))
    return lines


# --------------------------------------------------------------------------- PDF

_PAGE_NUMBER = re.compile(r"^[\s\-—–－·]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—–－·]*$")
# A line ending a sentence (or introducing a list) is not joined to the next, even when
# full: it may end its paragraph. Closing quotes and brackets may follow the mark.
_SENTENCE_END = re.compile(r"[。！？!?；;：:…][”’」』）)】〕\"']*$")
# A line at least this share of the document's widest line is taken as wrapped.
_FULL_LINE = 0.85
# A gap between lines this many times the page's usual line spacing separates paragraphs.
_PARAGRAPH_GAP = 1.4
_MIN_WRAP_WIDTH = 20  # display columns; documents of short lines (tables, lists) are left as they are


def _pdf_to_text(data: bytes, warnings: list[str]) -> str:
    """The text layer of a PDF, with the line wrapping of its layout undone.

    pypdf extracts one line per printed line; a sentence wrapped across printed lines
    would reach the later stages as two lines (splitting a name like 重庆市人民政府 in
    two), so a line as wide as the document's text, not ending a sentence, is joined to
    the next (see :func:`unwrap_lines`). Bare page numbers heading or closing a page
    are dropped.
    """
    if b"%PDF-" not in data[:1024]:
        kind = sniff_binary(data)
        raise IngestError(f"not a PDF file ({'looks like ' + kind if kind else 'no PDF header'})")
    import logging

    import pypdf
    from pypdf.errors import DependencyError

    # pypdf logs every repairable flaw of a damaged file as a warning: noise for a
    # user. Quieted only if the application has not configured that logger itself.
    pypdf_logger = logging.getLogger("pypdf")
    if pypdf_logger.level == logging.NOTSET:
        pypdf_logger.setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except DependencyError:
                raise IngestError("PDF is encrypted (AES)", hint="Remove the encryption (print it to a new PDF), "
                                  "or install the cryptography package.") from None
            if unlocked == pypdf.PasswordType.NOT_DECRYPTED:
                raise IngestError("PDF is password-protected", hint="Remove the password and try again.")
        pages = [_page_text_with_paragraph_gaps(page) for page in reader.pages]
    except IngestError:
        raise
    except Exception as err:  # pypdf raises many exception types on broken files
        raise IngestError(f"damaged PDF file ({type(err).__name__}: {err})") from None
    page_lines = [_page_lines(page) for page in pages]
    if not any(page_lines):
        raise IngestError("PDF has no text layer (scanned pages?)",
                          hint="Run OCR on it first, e.g. `ocrmypdf in.pdf out.pdf`.")
    blank = [str(number) for number, lines in enumerate(page_lines, 1) if not lines]
    if blank:
        shown = ", ".join(blank[:10]) + (", ..." if len(blank) > 10 else "")
        warnings.append(f"{len(blank)} of {len(page_lines)} PDF pages have no text layer (scanned?): page {shown}")
    return "\n".join(unwrap_lines(page_lines))


def _page_text_with_paragraph_gaps(page) -> str:
    """The page's text as pypdf extracts it, with an empty line where the vertical gap before
    a line is clearly wider than the page's usual line spacing: paragraph spacing, which
    keeps a heading apart from the caption under it once the text is a string."""
    fragments: list[tuple[str, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        # the baseline's height on the page: the text matrix placed by the current matrix
        fragments.append((text, tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    text = page.extract_text(visitor_text=visit) or ""
    lines: list[tuple[str, float | None]] = []
    current, height = "", None
    for piece, y in fragments:
        for k, part in enumerate(piece.split("\n")):
            if k:
                lines.append((current, height))
                current, height = "", None
            if part.strip() and height is None:
                height = y
            current += part
    lines.append((current, height))
    if "".join(line for line, _ in lines) != text.replace("\n", ""):
        return text  # the fragments do not add up to the text: keep pypdf's lines as they are
    heights = [y for line, y in lines if line.strip() and y is not None]
    steps = sorted(a - b for a, b in zip(heights, heights[1:]) if a - b > 0)
    if len(steps) < 3:
        return text
    usual = steps[len(steps) // 2]
    out, previous = [], None
    for line, y in lines:
        if line.strip() and y is not None:
            if previous is not None and previous - y > _PARAGRAPH_GAP * usual:
                out.append("")
            previous = y
        out.append(line)
    return "\n".join(out)


def _page_lines(page_text: str) -> list[str]:
    """The page's lines without trailing space; an empty string where a paragraph gap was
    (one for a run of blank lines), none at the page's top or bottom."""
    lines = [line.rstrip() for line in normalise_newlines(page_text.replace("\x00", "")).split("\n")]
    lines = [line for k, line in enumerate(lines) if line.strip() or (k and lines[k - 1].strip())]
    while lines and (not lines[0] or _PAGE_NUMBER.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1] or _PAGE_NUMBER.match(lines[-1])):
        lines.pop()
    return lines


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def unwrap_lines(pages: list[list[str]]) -> list[str]:
    """Join printed lines that continue on the next line (also across a page break).

    A line is taken as wrapped when it is nearly as wide as the widest line of the
    document (pages share one layout) and does not end a sentence. A document with
    fewer than three such full lines shows no wrapping to undo and is left as it is,
    so two headings of similar length are not run together.

    pages (list[list[str]]): the lines of each page; an empty line is a paragraph gap.
    RETURNS (list[str]): logical lines, paragraphs and headings kept apart (an empty line
        where a paragraph gap was).
    """
    widths = [[_display_width(line) for line in lines] for lines in pages]
    widest = max((width for page in widths for width in page), default=0)
    full = _FULL_LINE * widest
    if widest < _MIN_WRAP_WIDTH or sum(width >= full for page in widths for width in page) < 3:
        return [line for lines in pages for line in lines]
    out: list[str] = []
    carry = ""  # a wrapped line waiting for its continuation
    for lines, line_widths in zip(pages, widths, strict=True):
        for line, width in zip(lines, line_widths, strict=True):
            if not line:  # a paragraph gap ends whatever was wrapped
                if carry:
                    out.append(carry)
                    carry = ""
                out.append(line)
                continue
            wrapped = width >= full and not _SENTENCE_END.search(line)
            if carry:
                # English words wrap at spaces; Chinese wraps anywhere and needs no space.
                joiner = " " if _is_word_char(carry[-1]) and _is_word_char(line[0]) else ""
                line = carry + joiner + line.lstrip()
            carry = line if wrapped else ""
            if not wrapped:
                out.append(line)
    if carry:
        out.append(carry)
    return out


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()
