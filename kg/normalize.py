"""Clean raw document text for the NLP stages, remembering where every character came from.

The corpus is newspaper OCR and web text. Before entities can be recognised the text is

1. converted from traditional to simplified characters (OpenCC ``t2s``),
2. cleared of parenthesised pinyin glosses left by bad conversions (``區(qū)`` -> ``区``),
3. folded from full-width to ASCII letters and digits (``ＡＩ２０２５`` -> ``AI2025``) while the
   Chinese punctuation that the rules rely on (，。（）《》“”) is kept as it is,
4. re-joined where OCR broke a sentence, or a name, over two lines.

Every step is length-tracked: :class:`Normalised` maps each character of the clean text back to
its offset in the raw text, so mentions found in the clean text can be reported in raw offsets
(``kg.doc`` keeps raw offsets).

:func:`normalise_name` is the name normalisation of the scoring rules in the annotation
guidelines; the evaluator and the entity resolution both use it.

>>> n = normalise("銅梁區(qū)位於重慶")
>>> n.text
'铜梁区位于重庆'
>>> n.span_to_raw(2, 5)  # 区位于: the gloss inside is covered
(2, 9)
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy

__all__ = ["Normalised", "normalise", "normalise_name", "to_simplified", "strip_pinyin_glosses"]

# A pinyin syllable with at least one tone mark, in ASCII or full-width parentheses, right
# after a Chinese character. Requiring a tone mark keeps real parentheticals such as "(AI)" or
# "(ERP)" intact.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_GLOSS = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]\s*(?=[a-zü" + _TONED + r"]*[" + _TONED + r"])"
    r"[a-zü" + _TONED + r"]{1,6}(?:\s+[a-zü" + _TONED + r"]{1,6}){0,3}\s*[)）]"
)

# Characters after which a line break ends a sentence or a heading, not a broken line.
_SENTENCE_END = set("。！？!?；;:：…")
_CLOSING_QUOTE = set("”’」』\"')）】")
# A line that starts like a list item or heading ("一、", "（二）", "3.", "第三条") is not the
# continuation of the previous line.
_ENUMERATION = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十百\d]+[章节条部分])"
)
_CJK_OR_ALNUM = re.compile(r"[\u3400-\u9fffA-Za-z0-9“《（(〔【「『]")
# Lines shorter than this that end without punctuation are taken as headings, not broken lines.
_MIN_BROKEN_LINE = 12
# A sentence broken across a blank line (page layout) is only re-joined after a paragraph-long line.
_MIN_BROKEN_PARAGRAPH = 20


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError as err:  # pragma: no cover - opencc is a hard dependency
        raise ImportError(
            "kg needs the 'opencc' package (pip install opencc) to convert traditional characters"
        ) from err
    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Normalised:
    """Clean text plus the offset of each of its characters in the raw text.

    ``source[i]`` is the raw offset of ``text[i]``; a clean character made from several raw ones
    points at the first of them.
    """

    raw: str
    text: str
    source: numpy.ndarray = field(compare=False, repr=False)

    def to_raw(self, i: int) -> int:
        """Raw offset of clean offset ``i`` (``len(text)`` maps to ``len(raw)``)."""
        if i < 0 or i > len(self.text):
            raise IndexError(f"offset {i} outside the normalised text (0..{len(self.text)})")
        if i == len(self.text):
            return len(self.raw)
        return int(self.source[i])

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``(start, end)`` of the clean span ``text[start:end]``, end exclusive.

        The raw span covers everything the clean span was made from, including line breaks
        that were joined inside it.
        """
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside the normalised text (0..{len(self.text)})")
        if start == end:
            return self.to_raw(start), self.to_raw(start)
        # Each clean character comes from exactly one raw character (conversions keep the
        # length; everything else only drops characters), so the raw end is one past the last.
        return int(self.source[start]), int(self.source[end - 1]) + 1


def to_simplified(text: str) -> str:
    """Traditional to simplified characters with OpenCC ``t2s``."""
    return _t2s().convert(text)


def strip_pinyin_glosses(text: str) -> str:
    """Remove parenthesised pinyin glosses such as ``區(qū)`` -> ``區``."""
    return _PINYIN_GLOSS.sub("", text)


def _simplify_keeping_offsets(text: str) -> str:
    """OpenCC over the whole text when it keeps the length (t2s almost always does); otherwise
    line by line, and character by character for a line whose length would change."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    lines = []
    for line in text.split("\n"):
        out = to_simplified(line)
        if len(out) != len(line):
            out = "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in line)
        lines.append(out)
    return "\n".join(lines)


def _line_is_broken(line: str, next_line: str, blank_lines: int) -> bool:
    """Whether the break after ``line`` cuts a sentence (OCR column or page layout)."""
    stripped = line.rstrip()
    if not stripped or not next_line.strip():
        return False
    last = stripped[-1]
    if last in _SENTENCE_END:
        return False
    if _ENUMERATION.match(next_line) or not _CJK_OR_ALNUM.match(next_line.lstrip()):
        return False
    # "各单位:" after a title line is a salutation, not the rest of the title.
    if next_line.rstrip()[-1:] in (":", "："):
        return False
    # A short numbered line is a heading ("（一）强化组织领导").
    if _ENUMERATION.match(stripped) and len(stripped) < 30:
        return False
    if blank_lines == 0:
        return len(stripped.strip()) >= _MIN_BROKEN_LINE
    if blank_lines == 1:
        return len(stripped.strip()) >= _MIN_BROKEN_PARAGRAPH and last not in _CLOSING_QUOTE
    return False


_LINE_BREAK = re.compile(r"[ \t\r\u3000]*\n(?:[ \t\r\u3000]*\n)*[ \t\r\u3000]*")


def normalise(raw: str, *, join_broken_lines: bool = True) -> Normalised:
    """Normalise a raw document; see the module docstring for the steps.

    Args:
        raw (str): the document text as read from disk.
        join_broken_lines (bool): rejoin lines broken inside a sentence. Right for plain
            text (OCR, hard wraps); wrong for Word, HTML and PDF text, whose line breaks
            are paragraphs (ingest already rejoins PDF lines by their width).
    RETURNS (Normalised): clean text with a map back to raw offsets.
    """
    simplified = _simplify_keeping_offsets(raw)
    removed = bytearray(len(raw))
    for m in _PINYIN_GLOSS.finditer(simplified):
        removed[m.start() : m.end()] = b"\x01" * (m.end() - m.start())

    # Line joins: mark the whole whitespace run around a broken line break as removed.
    for m in _LINE_BREAK.finditer(simplified):
        line_start = simplified.rfind("\n", 0, m.start()) + 1
        line = simplified[line_start : m.start()]
        next_end = simplified.find("\n", m.end())
        next_line = simplified[m.end() : next_end if next_end >= 0 else len(simplified)]
        blank_lines = m.group().count("\n") - 1
        if join_broken_lines and _line_is_broken(line, next_line, blank_lines):
            before = simplified[m.start() - 1] if m.start() else ""
            after = simplified[m.end()] if m.end() < len(simplified) else ""
            removed[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
                # Two Latin words must stay apart: keep one character of the break as a space.
                removed[m.start()] = 2

    # The clean text is the raw text without the removed stretches, which are few: copy the
    # runs between them (a per-character list would cost ~100 bytes a character, 1.7 GB for
    # a 50 MB file). The offset map is one machine integer per character.
    flags = numpy.frombuffer(removed, dtype=numpy.uint8)
    source = numpy.flatnonzero(flags != 1).astype(numpy.int32 if len(raw) < 2**31 else numpy.int64)
    pieces = []
    position = 0
    for m in _REMOVED_RUN.finditer(removed):
        pieces.append(simplified[position : m.start()])
        if m.group()[:1] == b"\x02":
            pieces.append(" ")
        position = m.end()
    pieces.append(simplified[position:])
    text = _FULL_WIDTH.sub(lambda m: m.group().translate(_WIDTH_FOLD), "".join(pieces))
    return Normalised(raw=raw, text=text, source=source)


# Stretches of removed characters; a join between Latin words starts with a kept space (2).
_REMOVED_RUN = re.compile(rb"\x02\x01*|\x01+")
# Full-width ASCII letters and digits and the ideographic space to ASCII (a regex finds the
# few there are faster than str.translate walks the whole text).
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]+")
_WIDTH_FOLD = {
    **{code: code - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for code in range(r[0], r[1] + 1)},
    0x3000: ord(" "),
}


_NAME_MARKS = re.compile(r"[\s《》〈〉“”‘’\"'「」『』]")


def normalise_name(name: str) -> str:
    """The name normalisation of the scoring rules (annotation GUIDELINES.md, "Scoring").

    Unicode NFKC (which also folds full-width brackets to ASCII ones), traditional to simplified,
    parenthesised pinyin glosses removed, whitespace and the marks 《》〈〉“”‘’"'「」『』 dropped.

    >>> normalise_name("《銅梁區(qū)“满天星”行动计划》")
    '铜梁区满天星行动计划'
    >>> normalise_name("西部（重庆）科学城")
    '西部(重庆)科学城'
    """
    text = unicodedata.normalize("NFKC", name)
    text = to_simplified(text)
    text = strip_pinyin_glosses(text)
    return _NAME_MARKS.sub("", text)
