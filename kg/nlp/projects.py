"""``kg_project_ruler``: named projects, platforms, bases, parks, systems, apps and centres.

* Quoted names with a head: “渝快办”App, “东数西算”工程, “九龙智慧流调”系统, “智飞”号.
  A quoted name followed by the generic 项目 is named by the quoted part.
* Unquoted names ending in a head word (…项目, …平台, …基地, …产业园, …工程, …系统, …中心 …),
  read leftwards to the last stop word (建设, 依托, 的 …; see :mod:`kg.nlp.boundaries`).
* Lists closed by 等项目 (“A、B等项目”): every item is a project; “渝才荟”等平台 likewise.
* Without a place, code or brackets in it, an unquoted name is still one when a verb that
  builds or runs things introduces it (建设智能汽车数据共享运营中心, 搭建了基层智慧治理平台,
  建成的…消费扶贫馆) and no exhortation (支持, 大力 …) marks it as a plan's aim; when it ends in
  a facility and 项目 (…生产基地项目); or when it is coordinated with a found name of the same
  head (…再造工程和重大技术装备攻关工程).

Names that are only a generic description (一批创新平台, 该平台) are dropped: the body must have
three characters and must not start with a quantity or a generic modifier.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text, left_boundary, token_end, token_starts
from kg.nlp.candidates import Candidate, add, of_label
from kg.nlp.lexicon import is_dictionary_word, is_modifier_word
from kg.nlp.quotes import quoted_names

PRIORITY_QUOTED = 25
PRIORITY_RULE = 15
PRIORITY_LIST = 5
# 及 joins the parts of one project name (航天无人机及电子医疗器械产业化), 和/与 two names.
CONJUNCTIONS = ("和", "与", "暨")

HEADS = (
    "项目 平台 基地 产业园 园区 工程 系统 App APP app 中心 示范区 新城 智能体 底座 湾区 大厦 公园 "
    "消费扶贫馆 专柜 试验区 服务网络 数据中心集群 工厂 生活区"
).split()
# Heads that name a facility by themselves; …基地项目 and …产业园项目 are always specific.
FACILITY_HEADS = ("基地", "产业园", "园区", "中心", "工厂", "平台", "示范区", "新城", "大厦")
# Heads of development areas, named after the place they are built in (蔡家新城).
AREA_HEADS = ("新城",)
QUOTED_ONLY_HEADS = ["号", "社区", "试点"] + HEADS
_HEAD_RE = re.compile("|".join(sorted(HEADS, key=len, reverse=True)))
# Bodies that start like these describe, they do not name.
GENERIC_START = re.compile(
    r"^(?:[一二三四五六七八九十两几多数百千万\d]+[个家项批类座条所栋块年月日余]|一批|各类|各种|相关|有关|重点|重大|主要|新型|现有|"
    r"区级|市级|县级|省级|国家级|该|本|此|这|其|上述|更多|众多|大量|多种|一些|创新|智慧|智能|数字化|网络|公共|高能级|高水平|产业)"
)
# Of those, the ones that point or count (not the evaluative 重大, 新型 …): a name coordinated
# with a found one may start with an evaluative word (…再造工程和重大技术装备攻关工程).
DEICTIC_START = re.compile(
    r"^(?:[一二三四五六七八九十两几多数百千万\d]+[个家项批类座条所栋块年月日余]|一批|各类|各种|相关|有关|该|本|此|这|其|上述|"
    r"更多|众多|大量|多种|一些)"
)
# Of those, the topic words that may begin a real name when a verb introduces it and the body
# is long enough to say what it is (建设智能汽车数据共享运营中心).
TOPIC_START = re.compile(r"^(?:创新|智慧|智能|数字化|网络|公共|产业)")
TOPIC_MIN_BODY = 6
# Verbs after which a head-final phrase is a concrete project being built or run (also with
# 了 or 的 after them: 搭建了基层智慧治理平台, 在秀山县建成的武陵山片区消费扶贫馆).
# 打造 is left out: in plans it introduces aims (打造互联网工业平台), not things.
INTRODUCERS = (
    "建设 共建 搭建 构建 推进 建成 建好 投建 新建 上线 参与 启动 开发 研发 落地 引进 签约 签署 "
    "依托 借助 用好 入驻 运营 升级 开放 接入"
).split()
_INTRODUCED = re.compile("(?:%s)[了的]?$" % "|".join(INTRODUCERS))
# A verb introduces a name, not a category (建设科技创新中心), when the body is this long.
INTRODUCED_MIN_BODY = 5
# A plan's exhortation before the verb (支持校企合作共建…, 大力建设…) sets a goal for a kind of
# thing; the phrase after it is a description.
_EXHORTATION = re.compile(r"支持|鼓励|引导|大力|积极|加快|重点|着力|推动|力争")
# Bodies that end in an evaluative word name a class of projects (国家重大项目).
_EVALUATIVE_END = re.compile(r"(?:重大|重点|重要|示范|标志性|骨干|优质)$")
# A rank inside the body is a designation (国家级绿色工厂, 市级智能工厂), not a name.
_RANK = re.compile(r"国家级|省级|市级|区级|县级")
# A quantity right before the name: 培育一批AI应用中试基地 describes a kind.
# ... read in the few characters before a name (the pattern ends there; searching the whole
# text before every name was the project ruler's slowest step on long documents)
QUANTITY_BEFORE_WINDOW = 4
_QUANTITY_BEFORE = re.compile(r"(?:一批|一些|若干|多个|各类|各种|[\d一二三四五六七八九十两几多数]+[个家项批类座条所])$")
# A quantity inside the body: 1栋数字大厦+1条数字街区, 应用类3类项目.
_QUANTITY_INSIDE = re.compile(r"[\d一二三四五六七八九十两几]+[个栋条块类家座所]")
# 产业基础再造工程和重大技术装备攻关工程: a name joined to a found one with the same head.
_COORDINATORS = ("和", "与", "及", "、")
# A head followed by these is inside a longer word (平台化, 系统性, 中心城区, 工程师).
HEAD_CONTINUATIONS = {"平台": "化", "系统": "性化", "中心": "城", "工程": "师", "基地": "带"}
# ... and preceded by these (宅基地, 大湾区).
HEAD_PRECEDERS = {"基地": "宅", "湾区": "大"}
# An unquoted name must say whose or where it is, or carry a code: a place, a region or a pair
# abbreviation (鲁渝), Latin letters or digits, or brackets. 货运车辆托管监控平台 is a
# description, 鲁渝科技协作信息服务平台 a name.
SPECIFIC = re.compile(
    r"[A-Za-z0-9（）()]|^(?:中国|西部|东部|中部|西南|长江|成渝|川渝|[京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川黔滇陕甘青宁新藏蒙港澳台][渝川鲁黔陕滇桂鄂湘])"
)
_LOCATIVES = set("上中下里内外")
# “渝才荟”等平台, “面向…示范”等项目: a quoted name in a list closed by a head word.
_QUOTED_LISTED = re.compile(r"[“\"「]([^“”\"「」\n，。！？；、]{2,40})[”\"」]等(?:%s)" % "|".join(HEADS))
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
        for cand in self.match(doc_text(doc), token_starts(doc), places):
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
            if text[q_end : q_end + 1] in _LOCATIVES:
                continue  # “点”上采用平台: 上 ends a phrase, no name follows
            if _QUANTITY_INSIDE.search(text, q_start, q_end):
                continue  # “1栋数字大厦+1条数字街区…”: a slogan that counts things
            if text.startswith("项目", q_end) and end == q_end + 2 or text.startswith("等项目", q_end):
                start, end = q_start + 1, q_end - 1  # “X”项目 is the project X
            out.append(Candidate(start, end, "PROJECT", f"{self.name}:quoted", PRIORITY_QUOTED))
        found: dict[int, str] = {}  # end offset -> head of each accepted name
        place_spans = {(s, e) for s, e in places}
        place_ends_at = {s: e for s, e in places}
        for m in _HEAD_RE.finditer(text):
            head = m.group()
            nxt = text[m.end() : m.end() + 1]
            if nxt and nxt in HEAD_CONTINUATIONS.get(head, ""):
                continue
            if m.start() and text[m.start() - 1] in HEAD_PRECEDERS.get(head, ""):
                continue
            start = left_boundary(
                text, m.start(), max_len=self.max_len, token_starts=tokens, anchors=anchors, conjunctions=CONJUNCTIONS
            )
            body = text[start : m.start()]
            if "等" in body or _QUANTITY_INSIDE.search(body) or _QUANTITY_BEFORE.search(text, max(0, start - QUANTITY_BEFORE_WINDOW), start):
                continue
            # A verb alone does not make 企业投资项目 or 养殖区和居民生活区 a name: a generic 项目
            # and coordinated descriptions need more.
            introduced = (
                head != "项目"
                and len(body) >= INTRODUCED_MIN_BODY
                and not any(c in body for c in "和及与")
                and self._introduced(text, start)
            )
            if _EVALUATIVE_END.search(body) or _RANK.search(body):
                continue
            place_end = place_ends_at.get(start)
            if place_end is not None and is_modifier_word(text[place_end : m.start()]):
                continue  # 北京市美丽工厂: a place and an adjective describe
            coordinated = self._coordinated(text, start, head, found)
            # 蔡家智慧新城, 蔡家新城: a new town named by a word the dictionary does not know
            # (a place name it guessed).
            named = head in AREA_HEADS and _starts_with_unknown_word(text, start, m.start(), tokens)
            body_is_name = (start, m.start()) in place_spans or named and m.start() in tokens
            if not self._plausible(body, introduced, coordinated, body_is_name, head):
                continue
            if not (
                introduced
                or coordinated
                or named
                or SPECIFIC.search(body)
                or any(start <= s and e <= m.start() for s, e in places)
                or head == "项目" and body.endswith(FACILITY_HEADS)
            ):
                continue
            found[m.end()] = head
            out.append(Candidate(start, m.end(), "PROJECT", f"{self.name}:head", PRIORITY_RULE))
        out.extend(self._listed(text, tokens))
        for m in _QUOTED_LISTED.finditer(text):
            out.append(Candidate(m.start(1), m.end(1), "PROJECT", f"{self.name}:quoted", PRIORITY_QUOTED))
        return out

    @staticmethod
    def _plausible(body: str, introduced: bool, coordinated: bool, body_is_name: bool, head: str) -> bool:
        """Whether ``body`` + head can be a name: three characters at least (a place alone
        with a long head will do: 重庆数据中心集群; a name alone with an area: 蔡家新城),
        and no generic start unless a verb
        introduces a long enough body that starts with a topic word (建设智能汽车数据共享运营中心)
        or the name is coordinated with a found one and does not point or count."""
        if len(body) < 3 and not (body_is_name and (len(head) >= 3 or head in AREA_HEADS)):
            return False
        if coordinated and not DEICTIC_START.match(body):
            return True
        if GENERIC_START.match(body):
            return introduced and bool(TOPIC_START.match(body)) and len(body) >= TOPIC_MIN_BODY
        return True

    @staticmethod
    def _introduced(text: str, start: int) -> bool:
        """Whether a verb that builds or runs things stands right before ``start`` and no
        exhortation stands before the verb."""
        m = _INTRODUCED.search(text, max(0, start - 5), start)
        if not m:
            return False
        return not _EXHORTATION.search(text, max(0, m.start() - 6), m.start())

    @staticmethod
    def _coordinated(text: str, start: int, head: str, found: dict[int, str]) -> bool:
        """Whether the name follows a found name with the same head across 和/与/及/、."""
        return start > 0 and text[start - 1] in _COORDINATORS and found.get(start - 1) == head

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


def _starts_with_unknown_word(text: str, start: int, end: int, tokens: frozenset[int] | None) -> bool:
    """Whether the body ``text[start:end]`` starts with a word of two or more Chinese
    characters that jieba's dictionary does not hold: a name it guessed (蔡家), not a word."""
    if tokens is None or start not in tokens:
        return False
    word = text[start : token_end(start, end, tokens)]
    return len(word) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in word) and not is_dictionary_word(word)


@Language.factory("kg_project_ruler", default_config={"max_len": 30}, assigns=["doc._.kg_candidates"])
def make_project_ruler(nlp: Language, name: str, max_len: int) -> ProjectRuler:
    """PROJECT candidates; bodies up to ``max_len`` characters."""
    return ProjectRuler(nlp, name, max_len=max_len)
