"""``kg_org_ruler``: organisations by name suffix, plus the statistical NER when it is loaded.

Suffix rules read leftwards from a head word (see :mod:`kg.nlp.boundaries`):

* distinctive heads (…公司, …大学, …研究院, …医院, …联盟, …日报 …) need a body of two characters;
* government heads that are also ordinary characters (…局, …委, …办, …厅, …部) need a body that
  starts with a place (綦江区科学技术局, 重庆市科技局) or with 市/区/县/省 as in the usual
  abbreviations (市科技局, 市商务委, 区人民政府);
* names after 各/该/本/相关 are generic (各区县人民政府, 该学院) and dropped.

When the pipeline was built on the trained NER model (``kg/models/ner``), its ORG entities
(already in ``doc.ents`` when this component runs) are proposed too, at the lowest priority.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import left_boundary, token_starts
from kg.nlp.candidates import Candidate, add, of_label

PRIORITY_RULE = 20
PRIORITY_NER = 5

STRONG_HEADS = (
    "股份有限公司 有限责任公司 有限公司 公司 集团 大学 学院 研究院 研究所 科学院 农科院 实验室 医院 卫生院 "
    "联盟 协会 学会 商会 基金会 研究会 促进会 委员会 人民政府 政府 办公厅 办公室 管委会 工作队 银行 日报 晚报 "
    "电视台 新华社 通讯社 小学 中学 学校 幼儿园 科技厅 科技局 协同中心 管理中心 服务中心"
).split()
WEAK_HEADS = ("局", "委", "办", "厅", "部")
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
GENERIC_BODIES = {"相关", "有关", "各级", "地方", "区县", "全市", "全国", "国内", "国外", "海外", "其他", "上述"}
ABBREVIATION_START = set("市区县省")
# National bodies: 国家能源局, 国务院办公厅, 中共中央宣传部.
NATIONAL_START = ("国家", "国务院", "中共", "中央", "全国")
# Heads after which even a common word names (西南大学, 东方电气集团).
NAME_LIKE_HEADS = {"大学", "集团", "公司", "有限公司", "股份有限公司", "有限责任公司", "银行"}
_MEDIA = ("日报", "晚报", "新华社", "电视台", "通讯社")


class OrgRuler:
    """Proposes ORG candidates from suffix rules and the statistical NER."""

    def __init__(self, nlp: Language, name: str, *, max_len: int, use_statistical_ner: bool):
        self.name = name
        self.max_len = max_len
        self.use_statistical_ner = use_statistical_ner

    def __call__(self, doc: Doc) -> Doc:
        places = {c.start for c in of_label(doc, "DISTRICT")}
        for cand in self.match(doc.text, places, token_starts(doc)):
            add(doc, cand)
        if self.use_statistical_ner:
            for ent in doc.ents:
                if ent.label_ == "ORG" and len(ent.text.strip()) >= 2:
                    add(doc, Candidate(ent.start_char, ent.end_char, "ORG", f"{self.name}:ner", PRIORITY_NER))
        return doc

    def match(self, text: str, place_starts: set[int], tokens: frozenset[int] | None = None) -> list[Candidate]:
        """ORG candidates of ``text``; ``place_starts`` are offsets where a district name starts,
        ``tokens`` where the segmenter starts tokens."""
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
            body = text[start : m.start()]
            if weak and not (start in place_starts or body[:1] in ABBREVIATION_START or body.startswith(NATIONAL_START)):
                start = self._abbreviation_start(text, start, m.start(), place_starts)
                body = text[start : m.start()]
            name_like = head in NAME_LIKE_HEADS
            if head != "新华社" and not self._plausible(text, start, body, weak, place_starts, name_like):
                continue
            out.append(Candidate(start, end, "ORG", f"{self.name}:suffix", PRIORITY_RULE))
        return out

    @staticmethod
    def _abbreviation_start(text: str, start: int, head_start: int, place_starts: set[int]) -> int:
        """与市公安局: a government abbreviation (市/区/县/省…) after a conjunction or stop."""
        for k in range(start + 1, head_start - 2):
            if k in place_starts or text[k] in ABBREVIATION_START and text[k - 1] in "与和及同向对在由将":
                return k
        return start

    @staticmethod
    def _plausible(
        text: str, start: int, body: str, weak: bool, place_starts: set[int], head_is_name_like: bool = False
    ) -> bool:
        if len(body) < 2 or body in GENERIC_BODIES or body[:2] in GENERIC_BODIES:
            return False
        if (start > 0 and text[start - 1] in GENERIC_BEFORE) or body[0] in GENERIC_BEFORE or _ORDINAL.match(body):
            return False
        if start not in place_starts and not head_is_name_like and _common_word_freq(body) > COMMON_WORD_FREQ:
            return False
        if weak and _STRONG_IN_BODY.search(body):
            return False  # a department of a company (…有限公司产学研生态合作部) is not named here
        if weak:
            return (
                start in place_starts
                or body[0] in ABBREVIATION_START and len(body) >= 3
                or body.startswith(NATIONAL_START) and len(body) >= 4
            )
        return True


def _common_word_freq(word: str) -> int:
    """jieba's dictionary frequency of ``word`` (0 when it is not a dictionary word)."""
    import jieba

    if not jieba.dt.initialized:
        jieba.dt.initialize()
    return jieba.dt.FREQ.get(word, 0)


@Language.factory(
    "kg_org_ruler",
    default_config={"max_len": 24, "use_statistical_ner": True},
    assigns=["doc._.kg_candidates"],
)
def make_org_ruler(nlp: Language, name: str, max_len: int, use_statistical_ner: bool) -> OrgRuler:
    """ORG candidates by suffix (bodies up to ``max_len`` characters) and, when
    ``use_statistical_ner`` and a trained ``ner`` runs earlier in the pipeline, from it."""
    return OrgRuler(nlp, name, max_len=max_len, use_statistical_ner=use_statistical_ner)
