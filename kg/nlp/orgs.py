"""``kg_org_ruler``: organisations by name suffix, by context, from a list of national bodies,
plus the statistical NER when it is loaded.

Suffix rules read leftwards from a head word (see :mod:`kg.nlp.boundaries`):

* distinctive heads (…公司, …大学, …研究院, …医院, …联盟, …日报 …) need a body of two characters;
* government heads that are also ordinary characters (…局, …委, …办, …厅, …部) need a body that
  starts with a place (綦江区科学技术局, 重庆市科技局) or with 市/区/县/省 as in the usual
  abbreviations (市科技局, 市商务委, 区人民政府);
* descriptions are dropped: names after 各/该/本/相关 (各区县人民政府), bodies with a quantity
  (市内18个帮扶集团) or starting with a modifier (新型研发机构和重点实验室, 高等研究院), a
  common word before 集团/公司 (扶贫集团), 子公司; 该校附属肿瘤医院 gives 附属肿瘤医院;
* a head after a list of districts belongs to each of them (两江新区、万盛经开区管委会): the
  districts stay districts.

Names without a suffix come from ``kg/data/national_bodies.tsv`` (工业和信息化部, 东盟) and from
context: the name before a corporate title (德锦制冷董事长), the items of lists closed by a count
of organisations (A、B等23家企业) or by a class noun when one item is an organisation by suffix
(抖音、博拉、直播电商联盟等电商), and photo credits (摄/视觉重庆).

The trained NER model (``kg/models/ner``, setting ``statistical_model``) fills the gaps the
rules leave, at the lowest priority, when what it finds reads like a name (see
:meth:`OrgRuler._ner_candidates`). It is the slowest step by far, so it only reads where such
a name can start: a window of tokens (2 before, 6 after) around each word outside the rules'
mentions that jieba's dictionary does not know or tags as a proper noun
(:func:`_is_naming_word`), a fifth of policy text; and of those windows only the ones where a
smaller model, 2.4 times faster (``kg/models/ner-screen``, setting ``screening_model``, distilled from
the large one) sees an organisation, about one in nine.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from spacy.attrs import SPACY
from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text, left_boundary, sentence_tokens, token_starts, token_table
from kg.nlp.candidates import Candidate, add, candidates, of_label
from kg.nlp.lexicon import (
    is_activity_word,
    is_dictionary_word,
    is_generic_word,
    is_modifier_word,
    is_proper_noun,
    word_frequency,
)

PRIORITY_GAZETTEER = 25
PRIORITY_RULE = 20
PRIORITY_CONTEXT = 10
PRIORITY_NER = 5
# Tokens the statistical model reads before and after a word a name may start with.
WINDOW_BEFORE, WINDOW_AFTER = 2, 6
_KG_ROOT = Path(__file__).resolve().parent.parent
NATIONAL_BODIES_PATH = _KG_ROOT / "data" / "national_bodies.tsv"
# A count or an ordinal, with its measure word at most: 三是, 万人, 2024年 (not 万科, 58同城).
_COUNT = re.compile(r"^[\d一二三四五六七八九十两几第百千万亿]+[是个项批次届年月日人条点类种家所名位元亿万]?$")

STRONG_HEADS = (
    "股份有限公司 有限责任公司 有限公司 公司 集团 大学 学院 研究院 研究所 科学院 农科院 实验室 医院 卫生院 "
    "联盟 协会 学会 商会 基金会 研究会 促进会 委员会 人民政府 政府 办公厅 办公室 管委会 工作队 银行 日报 晚报 "
    "电视台 新华社 通讯社 小学 中学 学校 幼儿园 科技厅 科技局 协同中心 管理中心 服务中心"
).split()
WEAK_HEADS = ("局", "委", "办", "厅", "部")
GOVERNMENT_HEADS = ("人民政府", "政府")
_BODIES_OF = re.compile("各|有关|相关|所属|下属")
GOVERNMENT_LEVELS = {"省", "市", "区", "县", "乡", "镇", "乡镇", "州", "旗", "中央", "自治区", "自治州", "自治县"}
# A weak head followed by one of these is a different word (办理, 部分, 委托, 局面).
WEAK_HEAD_CONTINUATIONS = {
    "局": "长面势部",
    "委": "托员书",
    "办": "理事法公好成",
    "厅": "长",
    "部": "分署门长件位队署",
}
# ... and preceded by one of these (布局, 主办, 全部, 举办).
WEAK_HEAD_PRECEDERS = {
    "局": "布格当开结大全出",
    "委": "",
    "办": "主举承协创兴开督包代照严查合试筹",
    "厅": "餐客大",
    "部": "全内东西南北中外局干总头腹胸底顶",
}
_HEAD_RE = re.compile("|".join(sorted(STRONG_HEADS, key=len, reverse=True)) + "|[局委办厅部]")
GENERIC_BEFORE = set("各该本此我其每某")
# Heads that end a longer word rather than a name (中小学, 大中小学).
_NOT_A_HEAD_AFTER = {"中学": "小", "小学": "中"}
_ORDINAL = re.compile(r"^第[一二三四五六七八九十百\d]+[届期批次]")
_STRONG_IN_BODY = re.compile("公司|集团|大学")
# A body that is one common word (重点实验室, 行业协会, 高等研究院) describes, it does not name.
COMMON_WORD_FREQ = 3000
GENERIC_BODIES = {"相关", "有关", "各级", "地方", "区县", "全市", "全国", "国内", "国外", "海外", "其他", "上述",
                  "省内", "市内", "区内", "县内", "市县", "省市", "基层", "当地"}
# An abbreviated body (市科技, 区扶贫, 市发展改革) is short; a longer one is a phrase
# (市县实现不动产抵押登记全程网上办).
ABBREVIATION_MAX_BODY = 6
ABBREVIATION_START = set("市区县省")
# National bodies: 国家能源局, 国务院办公厅, 中共中央宣传部.
NATIONAL_START = ("国家", "国务院", "中共", "中央", "全国")
# Heads after which even a common word names (西南大学, 东方电气集团).
NAME_LIKE_HEADS = {"大学", "集团", "公司", "有限公司", "股份有限公司", "有限责任公司", "银行"}
_MEDIA = ("日报", "晚报", "新华社", "电视台", "通讯社")
# Company heads after which a single common word is a kind, not a name (扶贫集团, 科技公司).
COMPANY_HEADS = {"集团", "公司", "有限公司"}
# Department heads that take a one-character abbreviation body: 市科技局, 省科技厅.
DEPARTMENT_HEADS = {"科技局", "科技厅"}
# Function words that introduce a name and never start one (与扶贫集团 -> 扶贫集团).
LEADING_FUNCTION_CHARS = "与和及同向对在由将跟"
# A quantity inside the body makes it a description: 一款应用于银行, 市内18个帮扶集团.
_QUANTITY = re.compile(r"(?:^|[\d一二三四五六七八九十两几多数百千万])[个家款种项批类所座名支]")
# Modifiers that jieba does not tag as adjectives but that describe, not name (智慧实验室).
DESCRIPTIVE_STARTS = ("智慧", "智能", "数字", "创新", "卓越", "先进", "一流", "新兴", "未来", "示范")
# 该校附属肿瘤医院: a unit named relative to the school just mentioned is a name of its own.
_RELATIVE_UNIT = re.compile(r"(?:该|本|其)(?:校|院|所|大学|医院|公司|集团)?(?=附属)")
# Corporate titles after an organisation's name: 德锦制冷董事长朱钢, 重庆软件园总裁.
TITLE_AFTER_ORG = re.compile(r"(?:董事长|副董事长|总裁|副总裁|总经理|副总经理|首席执行官|创始人|CEO)")
# Words between a name and its title: 助理总裁, 前董事长, 行政总裁.
_TITLE_MODIFIER_END = re.compile(r"(?:前|原|现任|时任|副|助理|高级|执行|常务|首席|联席|名誉|行政)+$")
# Statistical ORG spans that start or end like these are phrases, not names.
_NER_BAD_START = re.compile(r"^(?:[\d一二三四五六七八九十两几多数百]+[届个家次年月日]|本|该|各|今年|去年|明年|首届|全市|全国|驻)")
_NER_BAD_END = set("由称更以的和与及或在将对为了是等")
_HEAD_AT_END = re.compile("(?:%s)$" % _HEAD_RE.pattern)
_EVENT_ENDS = ("会", "节", "展", "赛", "论坛", "峰会", "大会")
# ... and these are class nouns: names end in 部 or 局, descriptions in 部门 (执法部门).
_CLASS_ENDS = ("部门", "单位", "机构", "企业", "方面", "系统", "行业")
# ... and these are the project and policy rulers' (高水平人才培养中心, 新兴产业).
_OTHER_HEAD_ENDS = ("中心", "平台", "基地", "园", "区", "工程", "系统", "项目", "产业", "产业链", "行动", "计划", "网")
# Lists closed by a count of organisations: 包括A、B、C等23家…企业; 引进A等4家企业.
_COUNTED_LIST = re.compile(r"等(?:\d+|[一二三四五六七八九十两几多数百]+)(?:家|所)")
# Lists closed by a class noun alone (抖音、博拉、直播电商联盟等电商): the items are organisations
# when one of them already is one by its suffix.
_CLASS_LIST = re.compile(r"等(?=企业|公司|单位|机构|电商|高校|院校|银行|医院|平台企业|互联网企业|媒体)")
# A photo credit names the agency: 记者 万难 摄/视觉重庆.
_PHOTO_CREDIT = re.compile(r"摄\s*[/／]\s*([\u4e00-\u9fffA-Za-z]{2,8})(?=[\s\n）)]|$)")
_ORG_CLASS = re.compile(r"企业|公司|单位|机构|高校|院校|医院|银行|电商|平台")


class OrgRuler:
    """Proposes ORG candidates from suffix rules and the statistical NER."""

    def __init__(self, nlp: Language, name: str, *, max_len: int, statistical_model: str, screening_model: str = ""):
        self.name = name
        self.max_len = max_len
        self.model = _load_model(statistical_model)
        self.screen = _load_model(screening_model) if self.model is not None else None

    def __call__(self, doc: Doc) -> Doc:
        places = {c.start: c.end for c in of_label(doc, "DISTRICT")}
        for cand in self.match(doc_text(doc), places, token_starts(doc)):
            add(doc, cand)
        if self.model is not None:
            for cand in self._ner_candidates(doc):
                add(doc, cand)
        return doc

    def _ner_candidates(self, doc: Doc) -> list[Candidate]:
        """The statistical NER's ORG entities that the rules leave room for.

        The model was trained on news (CLUENER2020, People's Daily); on policy text it also
        tags phrases (智能网联, 新兴产业, 本届智博会). So the rules come first and the model fills
        gaps: an entity is kept when it neither crosses nor contains a rule's mention (a
        district at its start is part of the name: 上海商汤智能), and when it reads like a name
        (:func:`_reads_like_a_name`). The model reads only windows around the words such a name
        can start with."""
        pool = [c for c in candidates(doc) if not c.rule.endswith(":ner")]
        out = []
        for start, end in self._statistical_orgs(doc, pool):
            clash = False
            for c in pool:
                if c.end <= start or c.start >= end:
                    continue
                inside_ner = start <= c.start and c.end <= end
                if not (inside_ner and c.label == "DISTRICT" and c.start == start):
                    clash = True
                    break
            if clash or not _reads_like_a_name(doc, start, end):
                continue
            out.append(Candidate(start, end, "ORG", f"{self.name}:ner", PRIORITY_NER))
        return out

    def _statistical_orgs(self, doc: Doc, pool: list[Candidate]) -> list[tuple[int, int]]:
        """``(start, end)`` of the model's ORG entities in the windows of :func:`_windows`: the
        screening model reads every window, one token narrower on each side that cuts a sentence
        (two at the end); the large model reads the windows where the screen sees an organisation
        (about one in nine on policy text), and has the last word."""
        starts, words = token_table(doc)
        spaces = [bool(space) for space in doc.to_array(SPACY).tolist()]
        windows, cut = _windows(doc, pool)
        if self.screen is not None:
            narrow = [(a + 1 if a in cut else a, max(a + 1, b - 2) if b in cut else b) for a, b in windows]
            screened = (Doc(self.screen.vocab, words=words[a:b], spaces=spaces[a:b]) for a, b in narrow)
            windows = [w for w, sub in zip(windows, self.screen.pipe(screened, batch_size=64)) if _has_org(sub)]
        sub_docs = (Doc(self.model.vocab, words=words[a:b], spaces=spaces[a:b]) for a, b in windows)
        found = []
        for (a, b), sub in zip(windows, self.model.pipe(sub_docs, batch_size=64)):
            for e in sub.ents:
                # A name that runs into a window's edge inside a sentence may go on beyond it.
                if e.label_ == "ORG" and not (e.start == 0 and a in cut or e.end == b - a and b in cut):
                    found.append((starts[a] + e.start_char, starts[a] + e.end_char))
        return found

    def match(
        self, text: str, places: dict[int, int] | set[int], tokens: frozenset[int] | None = None
    ) -> list[Candidate]:
        """ORG candidates of ``text``; ``places`` maps the offsets where a district name starts to
        where it ends (a set of starts is accepted too), ``tokens`` are where the segmenter starts
        tokens."""
        if not isinstance(places, dict):
            places = {s: s for s in places}
        place_starts = set(places)
        out = self._suffixed(text, places, tokens)
        out.extend(self._national_bodies(text))
        out.extend(self._before_titles(text, place_starts, tokens))
        out.extend(self._counted_lists(text, place_starts, tokens))
        out.extend(self._class_lists(text, place_starts, tokens, out))
        out.extend(
            Candidate(m.start(1), m.end(1), "ORG", f"{self.name}:credit", PRIORITY_CONTEXT)
            for m in _PHOTO_CREDIT.finditer(text)
        )
        return out

    def _suffixed(self, text: str, places: dict[int, int], tokens: frozenset[int] | None) -> list[Candidate]:
        place_starts = set(places)
        place_ends = set(places.values())
        place_starts_by_end = {e: s for s, e in places.items()}
        out = []
        for m in _HEAD_RE.finditer(text):
            head = m.group()
            end = m.end()
            weak = head in WEAK_HEADS
            if weak and (
                text[end : end + 1] and text[end] in WEAK_HEAD_CONTINUATIONS[head]
                or m.start() and text[m.start() - 1] in WEAK_HEAD_PRECEDERS[head]
            ):
                continue
            if head in _NOT_A_HEAD_AFTER and m.start() and text[m.start() - 1] in _NOT_A_HEAD_AFTER[head]:
                continue
            # 新华社 and the like are complete names by themselves.
            start = m.start() if head in ("新华社",) else left_boundary(
                text, m.start(), max_len=self.max_len, token_starts=tokens, anchors=place_starts
            )
            start = self._strip_leading_function_word(text, start, m.start(), tokens)
            body = text[start : m.start()]
            if weak and not (start in place_starts or body[:1] in ABBREVIATION_START or body.startswith(NATIONAL_START)):
                start = self._abbreviation_start(text, start, m.start(), place_starts)
                body = text[start : m.start()]
            after_pronoun = start > 0 and text[start - 1] in "该本其"
            relative = _RELATIVE_UNIT.match(text, start - 1 if after_pronoun else start, m.start())
            if relative:  # 该校附属肿瘤医院 -> 附属肿瘤医院
                start = relative.end()
                body = text[start : m.start()]
            if head == "公司" and text[m.start() - 1 : m.start()] == "子":
                continue  # AI科技子公司: a kind of company, not one
            if head in DEPARTMENT_HEADS and len(body) == 1 and body in ABBREVIATION_START:
                out.append(Candidate(start, end, "ORG", f"{self.name}:suffix", PRIORITY_RULE))
                continue  # 市科技局
            if self._distributed(text, start, m.start(), places, place_ends):
                continue  # 两江新区、重庆高新区、万盛经开区管委会: the committees of three zones
            if _BODIES_OF.search(body, 1):
                continue  # 国务院各部委, 市政府有关部门: the bodies of one, not a name
            if head in GOVERNMENT_HEADS:
                # A government is named by its place (重庆市綦江区人民政府); 地方政府, 当地人民政府,
                # 切实落实政府 are not names, and a level alone (市政府) is left out as before.
                of_place = _place_chain_start(m.start(), place_starts_by_end)
                if of_place is not None:
                    start, body = of_place, text[of_place : m.start()]
                elif body not in GOVERNMENT_LEVELS:
                    continue
            # 附属 describes, but 附属肿瘤医院 after 该校 names the school's hospital
            name_like = head in NAME_LIKE_HEADS or head in _MEDIA or bool(relative)
            if head != "新华社" and not self._plausible(text, start, body, weak, place_starts, name_like, tokens):
                continue
            if head in COMPANY_HEADS and start not in place_starts and is_activity_word(body):
                continue  # 扶贫集团, 科技公司: a kind of group or company
            out.append(Candidate(start, end, "ORG", f"{self.name}:suffix", PRIORITY_RULE))
        return out

    @staticmethod
    def _strip_leading_function_word(text: str, start: int, head_start: int, tokens: frozenset[int] | None) -> int:
        """与扶贫集团 -> 扶贫集团: a conjunction or preposition that is a token of its own."""
        if (
            text[start : start + 1] in tuple(LEADING_FUNCTION_CHARS)
            and head_start - start > 2
            and (tokens is None or start + 1 in tokens)
        ):
            return start + 1
        return start

    @staticmethod
    def _distributed(text: str, start: int, head_start: int, places: dict[int, int], place_ends: set[int]) -> bool:
        """Whether the body is exactly a district that ends a list of districts: the head then
        applies to every item (两江新区、重庆高新区管委会), and the items stay districts."""
        if places.get(start) != head_start or start == 0:
            return False
        sep = text[start - 1]
        return sep in "、和及与" and (start - 1) in place_ends

    def _national_bodies(self, text: str) -> list[Candidate]:
        """Ministries, agencies and international organisations from ``national_bodies.tsv``."""
        return [
            Candidate(m.start(), m.end(), "ORG", f"{self.name}:national", PRIORITY_GAZETTEER)
            for m in _national_bodies_re().finditer(text)
        ]

    def _before_titles(self, text: str, place_starts: set[int], tokens: frozenset[int] | None) -> list[Candidate]:
        """德锦制冷董事长朱钢: the name right before a corporate title is an organisation."""
        out = []
        for m in TITLE_AFTER_ORG.finditer(text):
            start = left_boundary(text, m.start(), max_len=12, token_starts=tokens, anchors=place_starts)
            start = self._strip_leading_function_word(text, start, m.start(), tokens)
            end = m.start()
            trailing = _TITLE_MODIFIER_END.search(text, start, end)
            if trailing:  # 世茂集团助理总裁, 重庆银行前董事长
                end = trailing.start()
            name = text[start:end]
            if tokens is not None and start not in tokens:
                continue
            if name.isascii() and start > 0 and text[start - 1] == " ":
                continue  # Rockstar Games总裁: the name began before the space
            if self._listable_name(name, text, start, place_starts):
                out.append(Candidate(start, end, "ORG", f"{self.name}:title", PRIORITY_CONTEXT))
        return out

    def _counted_lists(self, text: str, place_starts: set[int], tokens: frozenset[int] | None) -> list[Candidate]:
        """Items of 包括A、B、C等23家…企业 and 引进A等4家企业: each item is an organisation."""
        out = []
        for m in _COUNTED_LIST.finditer(text):
            if not _ORG_CLASS.search(text, m.end(), m.end() + 14):
                continue
            end = m.start()
            while end > 0:
                start = left_boundary(text, end, max_len=12, token_starts=tokens, conjunctions=False)
                name = text[start:end]
                if self._listable_name(name, text, start, place_starts, max_len=8):
                    out.append(Candidate(start, end, "ORG", f"{self.name}:list", PRIORITY_CONTEXT))
                if start == 0 or text[start - 1] != "、":
                    break
                end = start - 1
        return out

    def _class_lists(
        self, text: str, place_starts: set[int], tokens: frozenset[int] | None, found: list[Candidate]
    ) -> list[Candidate]:
        """Items of A、B、C等企业 lists in which one item is an organisation by its suffix."""
        ends = {c.end: c for c in found}
        out = []
        for m in _CLASS_LIST.finditer(text):
            items, end = [], m.start()
            while end > 0:
                start = left_boundary(text, end, max_len=12, token_starts=tokens, conjunctions=False)
                items.append((start, end))
                if start == 0 or text[start - 1] != "、":
                    break
                end = start - 1
            if len(items) < 2 or not any(e in ends and ends[e].start == s for s, e in items):
                continue
            for start, end in items:
                if self._listable_name(text[start:end], text, start, place_starts, max_len=8):
                    out.append(Candidate(start, end, "ORG", f"{self.name}:list", PRIORITY_CONTEXT))
        return out

    @staticmethod
    def _listable_name(name: str, text: str, start: int, place_starts: set[int], max_len: int = 12) -> bool:
        """A bare name read from context (a list item, the name before a title) is kept when it
        is 2-``max_len`` characters of letters, digits or CJK and not one common word."""
        if not 2 <= len(name) <= max_len or not name.isalnum() or name.isdigit():
            return False
        if name[-1] in LEADING_FUNCTION_CHARS:
            return False  # 股东及总经理: the name is the other conjunct
        if name[0] in GENERIC_BEFORE or (start > 0 and text[start - 1] in GENERIC_BEFORE):
            return False
        if name in GENERIC_BODIES or name.endswith(("公司", "企业", "集团", "单位")) and len(name) <= 4:
            return False
        return not is_generic_word(name) and not _QUANTITY.search(name)

    @staticmethod
    def _abbreviation_start(text: str, start: int, head_start: int, place_starts: set[int]) -> int:
        """与市公安局: a government abbreviation (市/区/县/省…) after a conjunction or stop."""
        for k in range(start + 1, head_start - 2):
            if k in place_starts or text[k] in ABBREVIATION_START and text[k - 1] in "与和及同向对在由将":
                return k
        return start

    @staticmethod
    def _plausible(
        text: str,
        start: int,
        body: str,
        weak: bool,
        place_starts: set[int],
        head_is_name_like: bool = False,
        tokens: frozenset[int] | None = None,
    ) -> bool:
        if len(body) < 2 or body in GENERIC_BODIES or body[:2] in GENERIC_BODIES:
            return False
        if (start > 0 and text[start - 1] in GENERIC_BEFORE) or body[0] in GENERIC_BEFORE or _ORDINAL.match(body):
            return False
        if _QUANTITY.search(body):
            return False
        if start not in place_starts and not head_is_name_like and _starts_with_descriptive_word(text, start, body, tokens):
            return False  # 新型研发机构和重点实验室, 高等研究院
        if start not in place_starts and not head_is_name_like and word_frequency(body) > COMMON_WORD_FREQ:
            return False
        if weak and _STRONG_IN_BODY.search(body):
            return False  # a department of a company (…有限公司产学研生态合作部) is not named here
        if weak:
            return (
                start in place_starts
                or body[0] in ABBREVIATION_START and 3 <= len(body) <= ABBREVIATION_MAX_BODY
                or body.startswith(NATIONAL_START) and len(body) >= 4
            )
        return True


def _place_chain_start(end: int, starts_by_end: dict[int, int]) -> int | None:
    """Where the districts written one after the other and ending at ``end`` start
    (重庆市綦江区 before 人民政府), or None when no district ends there; ``starts_by_end``
    maps where each district ends to where it starts."""
    if end not in starts_by_end:
        return None
    start = starts_by_end[end]
    while start in starts_by_end and starts_by_end[start] < start:
        start = starts_by_end[start]
    return start


def _reads_like_a_name(doc: Doc, start: int, end: int) -> bool:
    """Whether a statistical ORG span looks like a name: 2-20 characters, no pointing or
    counting start (本届, 五届, 今年), no function word at its end (招商组由, 赵红民称), and at
    a first word (after a place) that is not a common dictionary word: a brand (抖音, 博拉,
    上海商汤智能) rather than a description (智能网联, 新兴产业, 中央财政资金). A span that ends in
    a head the suffix rules know (…中心, …协会) is left to them."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    text = span.text
    if not 2 <= len(text) <= 20 or text[-1] in _NER_BAD_END or _NER_BAD_START.match(text):
        return False
    if _HEAD_AT_END.search(text) or text.endswith(_EVENT_ENDS) or text.endswith(_OTHER_HEAD_ENDS):
        return False  # suffixed names are the rules' call; 智博会 is an event
    if text.endswith(_CLASS_ENDS):
        return False  # 道路交通执法部门, 科技管理部门: a kind of body, not one
    if text.isascii():
        return False  # RCEP, 5G: acronyms are as often agreements and technologies
    from kg.nlp.gazetteer import load_gazetteer

    places = load_gazetteer().forms
    words = [t.text for t in span]
    while words and words[0] in places:
        words = words[1:]  # 上海商汤智能: the name proper follows the place
    return bool(words) and _is_naming_word(words[0])


@lru_cache(maxsize=65536)
def _is_naming_word(word: str) -> bool:
    """Whether an organisation's name can start with ``word``: a word of two characters or
    more, not Latin letters or a count alone (RCEP, 5G, 三是, 万人), that jieba's dictionary
    does not hold (a brand it has not seen: 商汤) or tags as a proper noun (腾讯, 曼联, 博拉).

    The dictionary's tags are loose (智慧 and 养老 are person names to it, 改革开放 a proper
    noun), so on policy text the model then proposes phrases (中华民族, 平安中国) that the other
    checks must catch; on news the same words start most of the names the rules miss."""
    if len(word) < 2 or not word.isalnum() or word.isascii() or _COUNT.match(word):
        return False
    return not is_dictionary_word(word) or is_proper_noun(word)


def _windows(doc: Doc, pool: list[Candidate]) -> tuple[list[tuple[int, int]], set[int]]:
    """The token windows the models read, ``(first, end)`` within one sentence each, and the
    token indices where a window cuts its sentence. A name the filter keeps starts with a
    naming word (:func:`_is_naming_word`) that no rule's mention holds, after a place at most,
    and is at most 20 characters long: a window is the tokens around each such word (with the
    CNN's context), overlapping windows merged."""
    text = doc_text(doc)
    covered = bytearray(len(text) + 1)
    for c in pool:
        covered[c.start : c.end] = b"\x01" * (c.end - c.start)
    starts, words = token_table(doc)
    naming = set(filter(_is_naming_word, set(words)))
    openers = [i for i, word in enumerate(words) if word in naming]
    windows: list[list[int]] = []
    cut: set[int] = set()
    k = 0  # the next opener
    for first, end in sentence_tokens(doc):
        opened = len(windows)
        while k < len(openers) and openers[k] < end:
            i = openers[k]
            k += 1
            if covered[starts[i]] and covered[starts[i] + len(words[i]) - 1]:
                continue  # inside a rule's mention (a token that only starts with a place, 辽宁队, is not)
            a, b = max(first, i - WINDOW_BEFORE), min(end, i + WINDOW_AFTER)
            if windows and windows[-1][1] > a:  # overlaps the previous window, same sentence
                windows[-1][1] = b
            else:
                windows.append([a, b])
        cut.update(edge for window in windows[opened:] for edge in window if first < edge < end)
    return [(a, b) for a, b in windows], cut


def _has_org(doc: Doc) -> bool:
    return any(e.label_ == "ORG" for e in doc.ents)


def _load_model(path: str) -> Language | None:
    """The statistical NER pipeline at ``path`` (relative to the kg package, or absolute);
    None when ``path`` is empty, missing or broken: the rules still work without it."""
    import logging

    import spacy

    if not path:
        return None
    model_dir = Path(path) if Path(path).is_absolute() else _KG_ROOT / path
    if not (model_dir / "config.cfg").exists():
        logging.getLogger(__name__).warning("kg.nlp: no NER model at %s; organisations from rules only", model_dir)
        return None
    from thinc.api import use_ops
    from threadpoolctl import threadpool_limits

    # numpy's OpenBLAS multiplies the model's small matrices about three times faster than
    # the blis kernels thinc uses by default (100 against 35 GFLOP/s on one core of the
    # AVX-512 machines kg was measured on); same predictions. One BLAS thread: kg
    # parallelises across documents (-j), and a thread pool per process would fight them.
    threadpool_limits(limits=1, user_api="blas")
    try:
        with use_ops("numpy", use_blis=False):
            return spacy.load(model_dir)
    except Exception as err:  # a broken model must not stop the rules from working
        logging.getLogger(__name__).warning("kg.nlp: could not load the NER model at %s (%s); rules only", model_dir, err)
        return None


def _starts_with_descriptive_word(text: str, start: int, body: str, tokens: frozenset[int] | None) -> bool:
    """Whether the body's first word describes (新型, 高等, 智慧) rather than names."""
    if body.startswith(NATIONAL_START):
        return False  # 国家能源局, 全国工商联: 国家 is a common noun but these are names
    if body.startswith(DESCRIPTIVE_STARTS):
        return True
    for length in (2, 3, 4):
        if length <= len(body) and (tokens is None or start + length in tokens) and is_modifier_word(body[:length]):
            return True
    return False


@lru_cache(maxsize=1)
def _national_bodies_re() -> re.Pattern:
    names = []
    with NATIONAL_BODIES_PATH.open(encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                names.append(line.split("\t")[0].strip())
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))


@Language.factory(
    "kg_org_ruler",
    default_config={"max_len": 24, "statistical_model": "models/ner", "screening_model": "models/ner-screen"},
    assigns=["doc._.kg_candidates"],
)
def make_org_ruler(nlp: Language, name: str, max_len: int, statistical_model: str, screening_model: str) -> OrgRuler:
    """ORG candidates by suffix (bodies up to ``max_len`` characters) and from the spaCy NER
    pipeline at ``statistical_model`` (relative to the kg package; "" for rules only), which
    reads only what the faster ``screening_model`` flags ("" to let it read everything)."""
    return OrgRuler(nlp, name, max_len=max_len, statistical_model=statistical_model, screening_model=screening_model)
