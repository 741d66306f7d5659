"""``kg_policy_ruler``: policy documents, plans, programmes and document numbers.

* 《…》 titles (the name is what is inside the marks), except newspapers and periodicals;
  a notice that wraps a title, 关于印发《X》的通知, is a policy of its own.
* Document numbers: 渝府办发〔2020〕78号, 永川府发〔2024〕9号, 国发〔2025〕11号; the mention carries
  ``doc_number``, ``issuer_code``, ``year`` and ``serial``.
* Quoted plans: “满天星”行动计划, “人工智能+”行动, “科技产业金融一体化”专项 and “…专项” as a whole,
  with the name written before the quote (重庆软件和信息服务“满天星”行动计划).
* Unquoted plans after a verb that introduces them (实施/启动/深化/迭代升级 …):
  实施发展壮大新兴产业打造新动能行动, 深入实施工业互联网创新发展战略.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import SOFT_STOPS, STOP_WORDS, left_boundary, token_starts
from kg.nlp.candidates import Candidate, add
from kg.nlp.quotes import quoted_names

PRIORITY_TITLE = 30
PRIORITY_NUMBER = 30
PRIORITY_QUOTED = 25
PRIORITY_HEAD = 10

TITLE = re.compile(r"《([^《》\n]{2,80})》")
NOTICE = re.compile(r"关于(?:印发|转发|发布)?《[^《》\n]{2,80}》(?:的)?(?:通知|决定|批复|通报|意见|函)")
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,10}?[发字函办])\s*[〔\[［(（](\d{4})[〕\]］)）]\s*(\d{1,4})\s*号")
MEDIA_ENDINGS = ("报", "杂志", "周刊", "月刊", "网", "新闻", "频道")
HEADS = (
    "行动计划 行动方案 实施方案 工作方案 专项行动 规划纲要 规划建议 发展战略 战略行动 战略 行动 计划 方案 规划 纲要 专项 指南 "
    "实施意见 指导意见 管理办法 实施细则"
).split()
QUOTED_HEADS = HEADS + ["报告", "建议"]
# Verbs that introduce an unquoted plan name.
INTRODUCERS = ("实施", "启动", "深化", "迭代升级", "出台", "印发", "制定", "落实", "推进", "统筹实施", "用好", "发布")
_HEAD_RE = re.compile("|".join(sorted(HEADS, key=len, reverse=True)))
_FOLLOW_OK = set("，。、；：！？）)》”,.;:!? \n等和及与的中为")
GENERIC_START = re.compile(r"^(?:[一二三四五六七八九十两几多数百\d]+[个项批类条]|一批|各类|各项|相关|有关|该|本|此|这|其|上述|新一轮|系列)")


class PolicyRuler:
    """Proposes POLICY candidates."""

    def __init__(self, nlp: Language, name: str, *, max_len: int):
        self.name = name
        self.max_len = max_len

    def __call__(self, doc: Doc) -> Doc:
        for cand in self.match(doc.text, token_starts(doc)):
            add(doc, cand)
        return doc

    def match(self, text: str, tokens: frozenset[int] | None = None) -> list[Candidate]:
        """POLICY candidates of ``text`` (``tokens``: token start offsets, to read stop words)."""
        out = []
        rule = self.name
        for m in TITLE.finditer(text):
            title = m.group(1).strip()
            if title.endswith(MEDIA_ENDINGS):
                continue
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
        out.extend(self._introduced(text, tokens))
        return out

    def _introduced(self, text: str, tokens: frozenset[int] | None) -> list[Candidate]:
        out = []
        for m in _HEAD_RE.finditer(text):
            if text[m.end() : m.end() + 1] not in _FOLLOW_OK:
                continue
            start = left_boundary(text, m.start(), max_len=self.max_len, token_starts=tokens)
            body = text[start : m.start()]
            if len(body) < 4 or GENERIC_START.match(body) or any(ch in body for ch in "“”《》"):
                continue
            before = text[max(0, start - 4) : start]
            listed = before.endswith("、") and self._listed_after_policy(out, start - 1)
            if not (before.endswith(INTRODUCERS) or listed):
                continue
            out.append(Candidate(start, m.end(), "POLICY", f"{self.name}:introduced", PRIORITY_HEAD))
        return out

    @staticmethod
    def _listed_after_policy(found: list[Candidate], comma: int) -> bool:
        return any(c.end == comma for c in found)


def _issuer_code(prefix: str) -> str:
    """The issuer code of a document number without the words read before it
    (根据渝府办发 -> 渝府办发, 和国发 -> 国发)."""
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
