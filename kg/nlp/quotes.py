"""Quoted names: “满天星”行动计划, “渝快办”App, “九龙智慧流调”系统.

A quoted stretch followed by a head word (or ending in one) is a name. Shared by the policy
and project rulers, which differ only in their head words.
"""
from __future__ import annotations

import re
from typing import Iterator

QUOTED = re.compile(r"[“\"「]([^“”\"「」\n，。！？；]{1,30})[”\"」]")


def quoted_names(text: str, heads: list[str], *, tail_max: int = 16) -> Iterator[tuple[int, int, int, int]]:
    """Yield ``(start, end, quote_start, quote_end)`` for each “X”…HEAD or “…HEAD” name.

    ``start``/``end`` cover the quotes and the head; the tail between the closing quote and the
    head holds name characters only (no punctuation or another quote).
    """
    # The tail may not hold a conjunction or 等: “渝快办”与四川…平台 is two names.
    head_re = re.compile(
        r"(?:(?![与和及等的是在为将])[\u4e00-\u9fffA-Za-z0-9+\-—]){0,%d}?(?:%s)" % (tail_max, "|".join(map(re.escape, heads)))
    )
    inner_head = re.compile(r"(?:%s)$" % "|".join(map(re.escape, heads)))
    for m in QUOTED.finditer(text):
        tail = head_re.match(text, m.end())
        if tail:
            yield m.start(), tail.end(), m.start(), m.end()
        elif inner_head.search(m.group(1)):
            yield m.start(), m.end(), m.start(), m.end()
