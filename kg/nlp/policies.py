"""``kg_policy_ruler``: policy documents, plans, programmes and document numbers.

* 《…》 titles (the name is what is inside the marks) that end like a policy document (…方案,
  …条例, …2025), so not newspapers, books, games or films;
  a notice that wraps a title, 关于印发《X》的通知, is a policy of its own.
* Document numbers: 渝府办发〔2020〕78号, 永川府发〔2024〕9号, 国发〔2025〕11号; the mention carries
  ``doc_number``, ``issuer_code``, ``year`` and ``serial``.
* Quoted plans: “满天星”行动计划, “人工智能+”行动, “科技产业金融一体化”专项 and “…专项” as a whole,
  with the name written before the quote (重庆软件和信息服务“满天星”行动计划).
* Quoted regimes, named “…制” like 河长制 and 链长制 (not 机制, 体制, 控制 …), with the words
  naming their field before the quote: 产业链“链长制”.
* Unquoted plans after a verb that introduces them (实施/启动/深化/迭代升级 …):
  深入实施工业互联网创新发展战略; a long name may hold verbs of its own and is then read from
  the introducing verb (实施发展壮大新兴产业打造新动能行动).
* A region the text calls a strategy: 成渝地区双城经济圈建设 -> 成渝地区双城经济圈.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text, SOFT_STOPS, STOP_WORDS, left_boundary, name_window_start, token_starts
from kg.nlp.candidates import Candidate, add, of_label
from kg.nlp.lexicon import is_noun, verbs
from kg.nlp.quotes import QUOTED, quoted_names

PRIORITY_TITLE = 30
PRIORITY_NUMBER = 30
PRIORITY_QUOTED = 25
PRIORITY_HEAD = 10

TITLE = re.compile(r"《([^《》\n]{2,80})》")
NOTICE = re.compile(r"关于(?:印发|转发|发布)?《[^《》\n]{2,80}》(?:的)?(?:通知|决定|批复|通报|意见|函)")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10}?[发字函办])\s*[〔\[［(（](\d{4})[〕\]］)）]\s*(\d{1,4})\s*号")
# What the title of a policy document ends with (after a trailing note such as （试行） or
# （2021-2025年））: a document kind, or a target year (中国制造2025).
_POLICY_TITLE_END = re.compile(
    r"(?:规划|计划|方案|意见|办法|条例|[^魔方]法|法典|通知|决定|决议|纲要|指南|指引|规定|标准|细则|目录|报告|协定|协议|"
    r"公约|战略|行动|制度|批复|复函|函|规范|导则|章程|名录|规则|准则|大纲|建议|要点|通报|公告|令|措施|政策|清单|"
    r"体系|机制|宣言|声明|议定书|白皮书|路线图|专项|工程|任务|分工|草案|稿|通则|预案|规程|请示|指导书|任务书|责任书|承诺书|倡议书|\d{4}|[\d〕号]号?)$"
)
_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[)）]$")
MEDIA_ENDINGS = ("报", "杂志", "周刊", "月刊", "网", "新闻", "频道")
HEADS = (
    "行动计划 行动方案 实施方案 工作方案 专项行动 规划纲要 规划建议 发展战略 战略行动 战略 行动 计划 方案 规划 纲要 专项 指南 "
    "实施意见 指导意见 管理办法 实施细则"
).split()
QUOTED_HEADS = HEADS + ["报告", "建议"]
# A quoted word ending in 制 names a regime (河长制, 链长制, 首席专家制); these endings are
# ordinary words instead (机制, 体制, 控制, 限制, 编制, 研制, 管制, 抵制, 压制, 专制).
# A regime is a policy where the text puts it in place: 该区建立的产业链“链长制”, 全面推行“河长制”.
_REGIME_INTRODUCED = re.compile(r"(?:建立|实行|推行|实施|推广|试行|全面推行|全面实行)[了的]?$")
QUOTED_REGIME = re.compile(r"(?<![机体控限编研管抵压专克牵节])制$")
# A region the text calls a strategy or a programme of construction is that strategy:
# 成渝地区双城经济圈建设, 长江经济带战略 (the region alone, 为成渝地区双城经济圈…, is not).
_REGIONAL_STRATEGY = re.compile(r"(?:经济圈|经济带|城市群|一体化)(?=建设|战略|国家战略|发展战略)")
# Where such a region's name starts: a division the district ruler found, or one of the
# macro-regions of China's regional plans (the 19 城市群 of the 14th Five-Year Plan and the
# river basins).
_MACRO_REGION = re.compile(
    r"长江|黄河|京津冀|粤港澳|长三角|珠三角|成渝|川渝|关中|北部湾|海峡西岸|中原|兰西|呼包鄂榆|哈长|辽中南|山东半岛|"
    r"长江中游|黔中|滇中|天山北坡|宁夏沿黄|晋中"
)
# Verbs that introduce an unquoted plan name.
INTRODUCERS = ("实施", "启动", "深化", "迭代升级", "出台", "印发", "制定", "落实", "推进", "统筹实施", "用好", "发布")
_HEAD_RE = re.compile("|".join(sorted(HEADS, key=len, reverse=True)))
_HEAD_AT = re.compile("(?=(%s))" % "|".join(sorted(HEADS, key=len, reverse=True)))
_TRAILING_HEADS = re.compile("(?:%s)+$" % "|".join(sorted(HEADS, key=len, reverse=True)))
_INTRODUCER_RE = re.compile("|".join(sorted(INTRODUCERS, key=len, reverse=True)))
# After the verb: a complement (实施好) and a determiner (落实我市…).
_DETERMINER = re.compile(r"好?(?:我市|我区|我县|我省|全市|全区|全县|全省|本市)?")
# A name read from a verb further left holds verbs of its own, so it must be long to be a name
# and not a phrase (制定品牌提升方案).
EXTENDED_MIN_BODY = 8
_FOLLOW_OK = set("，。、；：！？）)》”,.;:!? \n等和及与的中为")
GENERIC_START = re.compile(r"^(?:[一二三四五六七八九十两几多数百\d]+[个项批类条]|年度|一批|各类|各项|相关|有关|该|本|此|这|其|上述|如下|以下|新一轮|系列)")


class PolicyRuler:
    """Proposes POLICY candidates."""

    def __init__(self, nlp: Language, name: str, *, max_len: int):
        self.name = name
        self.max_len = max_len

    def __call__(self, doc: Doc) -> Doc:
        places = {c.start for c in of_label(doc, "DISTRICT")}
        for cand in self.match(doc_text(doc), token_starts(doc), places):
            add(doc, cand)
        return doc

    def match(
        self, text: str, tokens: frozenset[int] | None = None, place_starts: set[int] | None = None
    ) -> list[Candidate]:
        """POLICY candidates of ``text`` (``tokens``: token start offsets, to read stop words;
        ``place_starts``: where district names start)."""
        place_starts = place_starts or set()
        out = []
        rule = self.name
        for m in TITLE.finditer(text):
            title = m.group(1).strip()
            if title.endswith(MEDIA_ENDINGS) or not _POLICY_TITLE_END.search(_TRAILING_NOTE.sub("", title)):
                continue  # 《金融时报》, 《魔兽世界》: newspapers, books, games and films
            out.append(Candidate(m.start(1), m.end(1), "POLICY", f"{rule}:title", PRIORITY_TITLE))
        for m in NOTICE.finditer(text):
            out.append(Candidate(m.start(), m.end(), "POLICY", f"{rule}:notice", PRIORITY_TITLE))
        for m in DOC_NUMBER.finditer(text):
            issuer = _issuer_code(m.group(1))
            start = m.end(1) - len(issuer)
            attrs = {
                "doc_number": text[start : m.end()],
                "issuer_code": issuer,
                "year": int(m.group(2)),
                "serial": int(m.group(3)),
            }
            out.append(Candidate(start, m.end(), "POLICY", f"{rule}:doc_number", PRIORITY_NUMBER, attrs))
        for start, end, q_start, q_end in quoted_names(text, QUOTED_HEADS, tail_max=8):
            if end > q_end and not _HEAD_RE.search(text, q_end, end):
                continue  # “…报告”建议: those heads count inside quotes only
            if end == q_end:  # “物联网与智慧城市专项”: the whole quote is the name
                start, end = q_start + 1, q_end - 1
            else:  # 重庆软件和信息服务“满天星”行动计划: read the name before the quote
                start = left_boundary(text, q_start, max_len=self.max_len // 2, token_starts=tokens)
                prefix = text[start:q_start]
                if prefix and (GENERIC_START.match(prefix) or not prefix.isalnum()):
                    start = q_start
            out.append(Candidate(start, end, "POLICY", f"{rule}:quoted", PRIORITY_QUOTED))
        out.extend(self._regimes(text, tokens))
        out.extend(self._introduced(text, tokens))
        for m in _REGIONAL_STRATEGY.finditer(text):
            window = name_window_start(text, m.start(), 12)
            for k in range(window, m.start() - 1):
                if k in place_starts or _MACRO_REGION.match(text, k):
                    out.append(Candidate(k, m.end(), "POLICY", f"{rule}:strategy", PRIORITY_HEAD))
                    break
        return out

    def _regimes(self, text: str, tokens: frozenset[int] | None) -> list[Candidate]:
        """Quoted regimes: “河长制”, and 产业链“链长制” with the field written before the quote
        (the resolver keeps the quoted word as the short form)."""
        out = []
        for m in QUOTED.finditer(text):
            word = m.group(1)
            if not 2 <= len(word) <= 10 or not QUOTED_REGIME.search(word) or not word.isalnum():
                continue
            # The field is one noun right before the quote (产业链“链长制”, not 全面推行“河长制”).
            start = left_boundary(text, m.start(), max_len=4, token_starts=tokens)
            prefix = text[start : m.start()]
            one_word = tokens is None or not any(k in tokens for k in range(start + 1, m.start()))
            if not (one_word and 2 <= len(prefix) and _is_plain_noun(prefix)) or GENERIC_START.match(prefix):
                start = m.start(1)
            end = m.end() if start < m.start() else m.end(1)
            outer = start if start < m.start() else m.start()
            if not _REGIME_INTRODUCED.search(text, max(0, outer - 6), outer):
                continue  # “包干制”等手段: a regime named in passing, not one put in place
            out.append(Candidate(start, end, "POLICY", f"{self.name}:regime", PRIORITY_QUOTED))
        return out

    def _introduced(self, text: str, tokens: frozenset[int] | None) -> list[Candidate]:
        out = []
        # Every position where a head starts (lookahead: 战略行动计划 holds 战略行动 and 行动计划).
        for m in _HEAD_AT.finditer(text):
            head_start, head_end = m.start(1), m.end(1)
            if text[head_end : head_end + 1] not in _FOLLOW_OK:
                continue
            start = left_boundary(text, head_start, max_len=self.max_len, token_starts=tokens)
            before = text[max(0, start - 4) : start]
            listed = before.endswith("、") and self._listed_after_policy(out, start - 1)
            extended = not (before.endswith(INTRODUCERS) or listed)
            if extended:
                # 实施发展壮大新兴产业打造新动能行动: the name may hold verbs of its own; read it from
                # the introducing verb further left.
                start = self._after_introducer(text, head_start, tokens)
                if start is None or head_start - start < EXTENDED_MIN_BODY:
                    continue
            body = text[start:head_start]
            if "等" in body or body[:1] in SOFT_STOPS:
                continue  # a list (现代化等战略) or a conjunct (和努力普及…)
            if len(body) < 4 or GENERIC_START.match(body) or any(ch in body for ch in "“”《》"):
                continue
            if extended and _HEAD_RE.search(_TRAILING_HEADS.sub("", body)):
                continue  # another plan word inside: a phrase about a plan, not a name
            out.append(Candidate(start, head_end, "POLICY", f"{self.name}:introduced", PRIORITY_HEAD))
        return out

    def _after_introducer(self, text: str, head_start: int, tokens: frozenset[int] | None) -> int | None:
        """Where a name starts that an introducing verb (实施, 落实 …) in the same run of name
        characters before ``head_start`` introduces, after a determiner (我市); else None."""
        window = name_window_start(text, head_start, self.max_len)
        best = None
        for m in _INTRODUCER_RE.finditer(text, window, head_start):
            if tokens is None or (m.start() in tokens and m.end() in tokens):
                best = m.end()
        if best is None:
            return None
        return _DETERMINER.match(text, best).end()

    @staticmethod
    def _listed_after_policy(found: list[Candidate], comma: int) -> bool:
        return any(c.end == comma for c in found)


# The end of a document title written right before its number: 关于…的通知国办发〔2014〕56号.
_TITLE_END_IN_PREFIX = re.compile(r".*(?:的|通知|意见|决定|办法|方案|规划|批复|公告|通告|》|）|\))")


def _is_plain_noun(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` as a common noun with no verb inside it (产业链,
    not 全面推行, which the dictionary also calls a noun)."""
    return is_noun(word) and not any(word[i : i + 2] in verbs() for i in range(len(word) - 1))


def _issuer_code(prefix: str) -> str:
    """The issuer code of a document number without the words read before it
    (根据渝府办发 -> 渝府办发, 和国发 -> 国发, 执法的通知国办发 -> 国办发)."""
    title_end = _TITLE_END_IN_PREFIX.search(prefix)
    if title_end and len(prefix) - title_end.end() >= 2:
        prefix = prefix[title_end.end() :]  # the title the number follows, written without marks
    changed = True
    while changed and len(prefix) > 2:
        changed = False
        for word in (*STOP_WORDS, *SOFT_STOPS, "根据", "依据", "按照", "参照", "印发", "文件"):
            if prefix.startswith(word) and len(prefix) - len(word) >= 2:
                prefix, changed = prefix[len(word) :], True
                break
    return prefix


@Language.factory("kg_policy_ruler", default_config={"max_len": 30}, assigns=["doc._.kg_candidates"])
def make_policy_ruler(nlp: Language, name: str, max_len: int) -> PolicyRuler:
    """POLICY candidates; unquoted names up to ``max_len`` characters."""
    return PolicyRuler(nlp, name, max_len=max_len)
