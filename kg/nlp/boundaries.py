"""Where a name that ends in a head word (…公司, …平台, …行动计划) starts.

Chinese has no capitals or spaces to mark a name's left edge, so rulers read leftwards from the
head word over name characters and cut at the last *stop word*: a verb, preposition or particle
that introduces a name (建设, 依托, 来自, 的, 在 …) and is never its first word. The conjunctions
和/与/及/暨 cut only when what follows them is long enough to be a name of its own
(北碚区与中交重庆投资发展有限公司 -> 中交重庆投资发展有限公司, but 大数据与软件学院 and
工业和信息化部 stay whole).
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy

from kg.nlp.lexicon import function_words, is_organisation_name, verbs

# Verbs, prepositions and particles that stand before a name, never at its start.
# Words that also occur inside names (发展, 服务, 建设银行, 联合实验室, 全国…中试服务网络, 关于印发…) are
# deliberately absent.
STOP_WORDS = sorted(
    """
    的 在 是 为 将 由 对 向 被 把 让 了 也 都 已 并 还 又 即 等 该 这 那 到 驻
    这是 也是 就是 还是 都是 即是 建设 以 图为 加大 引导 联合 提质
    协助 动员 走出 做好 建设好 高标准 宣传 布局 谋划 形成 意味着 立项 挖掘 促进 力争 随着 相信 持续 开放 扩容 了解
    来自 依托 依靠 携手 签约 签署 签订 包括 会同 鼓励 推动 推进 打造 搭建 共建 共同 引进
    参与 参加 举办 举行 成立 组建 实施 启动 开展 深化 落实 贯彻 印发 出台 制定 用好 加快 加强 围绕 通过 根据
    依据 按照 聚焦 培育 构建 设立 加入 申报 迭代升级 投入 落户 位于 入驻 承担 牵头 主办 助力 带动
    吸引 获得 荣获 授予 选择 走进 来到 记者 介绍 表示 指出 提出 认为 发挥 使用 完善 探索 明确
    前往 要求 投建 新建 上线 接入 作为 成为 属于 针对 借助 利用 联手 建立 建成 建好 提升 参观
    整治 督促 实现 实行 推行 规范 健全 建立健全 优化 强化 避免 切实 充分 严格 进一步 全面 确保 保障 加大力度 发布 如下
    单位 成员 我市 我区 我县 全市 全区 目前 近日 日前 今年 去年 明年 当日 此次 本届 首届 其中 以及 或者 比如 例如
    据悉 同时 此外 另外 相关 有关 所有 一批 一个 一项 多家 多个 若干 主要 负责人 董事长 总裁 院长 局长 主任 副
    """.split(),
    key=len,
    reverse=True,
)
SOFT_STOPS = ("和", "与", "及", "暨", "或")
# A conjunction cuts only when at least this many name characters follow it before the head.
SOFT_STOP_MIN_REST = 5

# A list marker: （一）, (2), （十一）.
_ENUMERATION = re.compile(r"[（(](?:[一二三四五六七八九十]{1,3}|\d{1,2})[）)]")
_NAME_CHAR = re.compile(r"[\u3400-\u9fffA-Za-z0-9（）()·\-+&]")
_STOP_RE = re.compile("|".join(map(re.escape, STOP_WORDS)))
# A bracketed gloss read past by name_window_start: at most this long, never across these.
_GLOSS_MAX = 30
_GLOSS_BREAKS = set("\n。；;！？!?（(）)《》“”")
# Resultative complements after a verb stop word: 发挥好扶贫832平台 starts after 好.
_COMPLEMENTS = ("好", "完", "出")


def name_window_start(text: str, head_start: int, max_len: int) -> int:
    """Leftmost start of a run of name characters ending at ``head_start``.

    A bracketed gloss inside a name may hold other characters (实验动物AE+（Animal Experiment,
    动物实验）产学研全球中心): a closing bracket is read past up to its opening one when the gloss
    is short and on one line.
    """
    i = head_start
    limit = max(0, head_start - max_len)
    while i > limit:
        ch = text[i - 1]
        if ch in "）)":
            opening = _matching_open(text, i - 1, limit)
            if opening is not None:
                limit = max(0, limit - (i - opening))  # a gloss does not count against max_len
                i = opening
                continue
        if not _NAME_CHAR.match(ch):
            break
        i -= 1
    # An unbalanced bracket is not part of the name: （重庆日报记者 … starts after it.
    window = text[i:head_start]
    depth = 0
    for k in range(len(window) - 1, -1, -1):
        ch = window[k]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            if depth == 0:
                return i + k + 1
            depth -= 1
    if depth > 0:
        # a closing bracket without its opening one inside the window
        k = max(window.rfind("）"), window.rfind(")"))
        return i + k + 1
    return i


def _matching_open(text: str, close: int, limit: int) -> int | None:
    """Offset of the bracket that opens the one closing at ``close`` when the gloss between
    them holds a character a name does not (a comma, a space) but no sentence break."""
    for k in range(close - 1, max(limit, close - _GLOSS_MAX) - 1, -1):
        ch = text[k]
        if ch in "（(":
            inner = text[k + 1 : close]
            if inner and not all(_NAME_CHAR.match(c) for c in inner):
                return k
            return None
        if ch in _GLOSS_BREAKS:
            return None
    return None


def left_boundary(
    text: str,
    head_start: int,
    *,
    max_len: int = 30,
    token_starts: frozenset[int] | set[int] | None = None,
    anchors: set[int] | None = None,
    conjunctions: bool | tuple[str, ...] = True,
) -> int:
    """Start of the name whose head word starts at ``head_start``.

    Args:
        text (str): the document text.
        head_start (int): offset where the head word (公司, 平台 …) starts.
        max_len (int): longest body to read leftwards.
        token_starts (set[int] | None): offsets where the segmenter starts a token; when given,
            a stop word counts only if it is a whole token (等 in 高等教育 is not the word 等).
        anchors (set[int] | None): offsets where a place name starts; a conjunction right
            before one cuts (企业与重庆大学 -> 重庆大学).
        conjunctions (bool | tuple[str, ...]): whether 和/与/及 may cut at all (not inside the
            items of a list), or which of them may.
    RETURNS (int): the start offset (== head_start when no body was found).
    """
    start = name_window_start(text, head_start, max_len)
    for enumeration in _ENUMERATION.finditer(text, start, head_start):
        start = enumeration.end()  # （六）全面清理…: a list marker ends what came before
    body = text[start:head_start]
    cut = 0
    for m in _STOP_RE.finditer(body):
        # Only a stop word that is a whole token is one (高等教育's 等 and 成都's 都 are not).
        if token_starts is not None and not (start + m.start() in token_starts and start + m.end() in token_starts):
            continue
        cut = max(cut, m.end())
    if cut and body[cut : cut + 1] in _COMPLEMENTS and len(body) - cut > 2:
        cut += 1  # 发挥好扶贫832平台: 好 completes the verb
    if token_starts is not None:
        cut = max(cut, _after_function_words(text, start + cut, head_start, token_starts) - start)
    if anchors and token_starts is not None:
        cut = max(cut, _verb_before_place(text, start, head_start, token_starts, anchors) - start)
    soft = SOFT_STOPS if conjunctions is True else (conjunctions or ())
    for k in range(len(body) - 1, cut - 1, -1):
        if body[k] in soft and (
            len(body) - (k + 1) >= SOFT_STOP_MIN_REST
            or (anchors is not None and start + k + 1 in anchors)
            or (token_starts is not None and _ends_with_organisation(text, start + cut, start + k, token_starts))
        ):
            cut = max(cut, k + 1)
            break
    return start + cut


def doc_text(doc) -> str:
    """``doc.text``, computed once per doc: spaCy rebuilds it from every token on each
    access, and the components read it many times. Splitting tokens never changes it."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def token_table(doc) -> tuple[list[int], list[str]]:
    """Start offset and text of every token of ``doc``, cached on the doc until its tokens
    change. Read from one-column arrays: Token objects, or a many-column array turned into
    lists of rows, cost more than the rules that read them."""
    key = ("kg_token_table", len(doc))
    table = doc.user_data.get(key)
    if table is None:
        from spacy.attrs import IDX, LENGTH

        text = doc_text(doc)
        starts = doc.to_array(IDX).tolist()
        table = (starts, [text[s : s + n] for s, n in zip(starts, doc.to_array(LENGTH).tolist())])
        doc.user_data[key] = table
    return table


def sentence_tokens(doc) -> list[tuple[int, int]]:
    """``(first, end)`` token indices of each sentence of ``doc``, read from the SENT_START
    array (``doc.sents`` builds a Span and its Tokens for each)."""
    from spacy.attrs import SENT_START

    starts = doc.to_array(SENT_START)
    firsts = numpy.flatnonzero(starts == 1).tolist()
    if len(starts) and (not firsts or firsts[0] != 0):
        firsts.insert(0, 0)
    return list(zip(firsts, firsts[1:] + [len(starts)]))


def sentence_spans(doc) -> list[tuple[int, int]]:
    """``(start, end)`` character offsets of each sentence of ``doc``, kept on the doc from the
    first call (``kg_sentences`` makes it): splitting tokens later does not move them."""
    spans = doc.user_data.get("kg_sentence_spans")
    if spans is None:
        starts, words = token_table(doc)
        spans = [(starts[a], starts[b - 1] + len(words[b - 1])) for a, b in sentence_tokens(doc)]
        doc.user_data["kg_sentence_spans"] = spans
    return spans


def token_starts(doc) -> frozenset[int]:
    """Offsets where a token of ``doc`` starts, plus the end of the text (cached on the doc
    until its tokens change)."""
    key = ("kg_token_starts", len(doc))
    cached = doc.user_data.get(key)
    if cached is None:
        cached = frozenset(token_table(doc)[0] + [len(doc_text(doc))])
        doc.user_data[key] = cached
    return cached


def _ends_with_organisation(text: str, start: int, end: int, token_starts: frozenset[int] | set[int]) -> bool:
    """Whether ``text[start:end]`` ends with a whole word jieba's dictionary tags as an
    organisation (招商银行 in 招商银行和贝恩公司): the conjunction after it joins two names."""
    if end not in token_starts:
        return False
    k = end - 1
    while k > start and k not in token_starts:
        k -= 1
    return k in token_starts and is_organisation_name(text[k:end])


@lru_cache(maxsize=1)
def _stop_verbs() -> frozenset[str]:
    return frozenset(w for w in STOP_WORDS if w in verbs())


def token_end(start: int, limit: int, token_starts: frozenset[int] | set[int]) -> int:
    """Where the token that starts at ``start`` ends, at most ``limit``."""
    end = start + 1
    while end < limit and end not in token_starts:
        end += 1
    return end


def _after_function_words(text: str, start: int, head_start: int, token_starts: frozenset[int] | set[int]) -> int:
    """Where the body ``text[start:head_start]`` starts once the prepositions, conjunctions and
    adverbs it begins with are dropped (除北京银行, 据招商银行, 但从未与中国工商银行 -> the bank),
    and a word that ends in one of the verbs that stop a name (充分发挥行业协会 -> 行业协会; a
    verb alone may start one: 扶贫832平台). 和/与/及 are left to the soft-stop rule:
    工业和信息化部 holds one."""
    words = function_words()
    k = start
    while k < head_start:
        end = token_end(k, head_start, token_starts)
        token = text[k:end]
        if end >= head_start or token in SOFT_STOPS:
            return k
        # a verb, or an adverb and verb written as one word (充分发挥, 切实落实)
        if token not in words and not (len(token) > 2 and token[-2:] in _stop_verbs()):
            return k
        k = end
    return k


def _verb_before_place(text: str, start: int, head_start: int, tokens: frozenset[int] | set[int], anchors: set[int]) -> int:
    """The last place name in ``text[start:head_start]`` that follows a verb token: the verb
    takes the name as its object (招商组由此结合重庆(西部)电子电路产业园 -> 重庆(西部)…).
    Returns ``start`` when there is none."""
    verb_words = verbs()
    for a in range(head_start - 1, start + 1, -1):
        if a in anchors:
            for length in (2, 3):
                if a - length >= start and a - length in tokens and text[a - length : a] in verb_words:
                    return a
    return start

