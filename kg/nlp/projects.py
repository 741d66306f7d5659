"""``kg_project_ruler``: named projects, platforms, bases, parks, systems, apps and centres.

* Quoted names with a head: “渝快办”App, “东数西算”工程, “九龙智慧流调”系统, “智飞”号.
  A quoted name followed by the generic 项目 is named by the quoted part.
* Unquoted names ending in a head word (…项目, …平台, …基地, …产业园, …工程, …系统, …中心 …),
  read leftwards to the last stop word (建设, 依托, 的 …; see :mod:`kg.nlp.boundaries`).
* Lists closed by 等项目 (“A、B等项目”): every item is a project.

Names that are only a generic description (一批创新平台, 该平台) are dropped: the body must have
three characters and must not start with a quantity or a generic modifier.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import left_boundary, token_starts
from kg.nlp.candidates import Candidate, add, of_label
from kg.nlp.quotes import quoted_names

PRIORITY_QUOTED = 25
PRIORITY_RULE = 15
PRIORITY_LIST = 5
# 及 joins the parts of one project name (航天无人机及电子医疗器械产业化), 和/与 two names.
CONJUNCTIONS = ("和", "与", "暨")

HEADS = (
    "项目 平台 基地 产业园 园区 工程 系统 App APP app 中心 示范区 新城 智能体 底座 湾区 大厦 公园 "
    "消费扶贫馆 专柜 试验区 服务网络 数据中心集群"
).split()
QUOTED_ONLY_HEADS = ["号", "社区", "试点"] + HEADS
_HEAD_RE = re.compile("|".join(sorted(HEADS, key=len, reverse=True)))
# Bodies that start like these describe, they do not name.
GENERIC_START = re.compile(
    r"^(?:[一二三四五六七八九十两几多数百千万\d]+[个家项批类座条所栋块年月日余]|一批|各类|各种|相关|有关|重点|重大|主要|新型|现有|"
    r"区级|市级|县级|省级|国家级|该|本|此|这|其|上述|创新|智慧|智能|数字化|网络|公共|高能级|高水平|产业)"
)
# A head followed by these is inside a longer word (平台化, 系统性, 中心城区, 工程师).
HEAD_CONTINUATIONS = {"平台": "化", "系统": "性化", "中心": "城", "工程": "师", "基地": "带"}
# An unquoted name must say whose or where it is, or carry a code: a place, a region or a pair
# abbreviation (鲁渝), Latin letters or digits, or brackets. 货运车辆托管监控平台 is a
# description, 鲁渝科技协作信息服务平台 a name.
SPECIFIC = re.compile(
    r"[A-Za-z0-9（）()]|^(?:中国|西部|东部|中部|西南|长江|成渝|川渝|[京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川黔滇陕甘青宁新藏蒙港澳台][渝川鲁黔陕滇桂鄂湘])"
)
# The list rule must not take policies listed with projects (国家科技重大专项、…等科技项目).
_POLICY_WORD = re.compile(r"计划|行动|规划|方案|战略|建设")
_POLICY_END = re.compile(r"(?:计划|专项|行动|方案|规划|战略|纲要|指南)$")


class ProjectRuler:
    """Proposes PROJECT candidates."""

    def __init__(self, nlp: Language, name: str, *, max_len: int):
        self.name = name
        self.max_len = max_len

    def __call__(self, doc: Doc) -> Doc:
        places = [(c.start, c.end) for c in of_label(doc, "DISTRICT")]
        for cand in self.match(doc.text, token_starts(doc), places):
            add(doc, cand)
        return doc

    def match(
        self, text: str, tokens: frozenset[int] | None = None, places: list[tuple[int, int]] | None = None
    ) -> list[Candidate]:
        """PROJECT candidates of ``text``; ``tokens`` are token start offsets, ``places`` the
        spans of district names (a name that contains one is specific)."""
        out = []
        places = places or []
        anchors = {s for s, _ in places}
        for start, end, q_start, q_end in quoted_names(text, QUOTED_ONLY_HEADS, tail_max=12):
            if _POLICY_WORD.search(text, q_end, end):
                continue  # “满天星”行动计划重大项目 is about a policy
            if text.startswith("项目", q_end) and end == q_end + 2 or text.startswith("等项目", q_end):
                start, end = q_start + 1, q_end - 1  # “X”项目 is the project X
            out.append(Candidate(start, end, "PROJECT", f"{self.name}:quoted", PRIORITY_QUOTED))
        for m in _HEAD_RE.finditer(text):
            nxt = text[m.end() : m.end() + 1]
            if nxt and nxt in HEAD_CONTINUATIONS.get(m.group(), ""):
                continue
            start = left_boundary(
                text, m.start(), max_len=self.max_len, token_starts=tokens, anchors=anchors, conjunctions=CONJUNCTIONS
            )
            body = text[start : m.start()]
            if len(body) < 3 or GENERIC_START.match(body) or "等" in body:
                continue
            if not (SPECIFIC.search(body) or any(start <= s and e <= m.start() for s, e in places)):
                continue
            out.append(Candidate(start, m.end(), "PROJECT", f"{self.name}:head", PRIORITY_RULE))
        out.extend(self._listed(text, tokens))
        return out

    def _listed(self, text: str, tokens: frozenset[int] | None) -> list[Candidate]:
        """Items of “A、B等项目” lists."""
        out = []
        for m in re.finditer(r"等(?:[\u4e00-\u9fff]{0,3})项目", text):
            end = m.start()
            while end > 0:
                start = left_boundary(text, end, max_len=self.max_len, token_starts=tokens, conjunctions=False)
                item = text[start:end]
                if len(item) >= 4 and not GENERIC_START.match(item) and not _POLICY_END.search(item):
                    out.append(Candidate(start, end, "PROJECT", f"{self.name}:list", PRIORITY_LIST))
                if start == 0 or text[start - 1] != "、":
                    break
                end = start - 1
        return out


@Language.factory("kg_project_ruler", default_config={"max_len": 30}, assigns=["doc._.kg_candidates"])
def make_project_ruler(nlp: Language, name: str, max_len: int) -> ProjectRuler:
    """PROJECT candidates; bodies up to ``max_len`` characters."""
    return ProjectRuler(nlp, name, max_len=max_len)
