"""Word classes read from the dictionary that ships inside the jieba package (no download).

jieba's ``dict.txt`` lists about 350,000 words with a frequency and an ICTCLAS part-of-speech
tag. The rulers use three classes of it:

* :func:`verbs`: words tagged ``v`` (结合, 引进, 签约). Verbal nouns (``vn``: 发展, 服务, 建设)
  are left out because they often begin names (发展研究中心).
* :func:`is_generic_word`: a single common word that describes instead of naming (民营, 大型,
  外资, 高校, 扶贫): adjectives, verbs, adverbs, numerals, pronouns, and frequent common nouns.
  Proper nouns (``nr``/``ns``/``nt``/``nz``) never count as generic.
* :func:`is_modifier_word`: the narrower class of words that qualify a noun (新型, 高等, 大型,
  国有: distinguishing adjectives, adjectives, adverbs, numerals, pronouns).
* :func:`is_activity_word`: verbs, verbal nouns and frequent common nouns (扶贫, 科技, 运营),
  the words that make 扶贫集团 or 科技公司 a kind of company.

* :func:`is_dictionary_word`: whether jieba knows the word at all (it does not know 博拉, 商汤
  or 蔡家: names it guessed), and :func:`is_proper_noun`: words tagged as proper nouns (中国邮政, 腾讯, 博拉).

The dictionary is read once per process, from a cache in ``~/.cache/kg`` (``$XDG_CACHE_HOME``)
after the first run.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from kg.files import write_atomic

# Tags of words that describe: distinguishing adjectives (b), adjectives (a, ad, an), verbs,
# adverbs, numerals, measure words, pronouns, directions, idioms ...
_GENERIC_TAGS = {"b", "a", "ad", "an", "v", "vn", "vd", "d", "m", "q", "r", "f", "l", "i", "c", "p", "u", "t", "s"}
_MODIFIER_TAGS = {"b", "a", "ad", "an", "d", "m", "q", "r"}
_ACTIVITY_TAGS = {"v", "vn"}
_FUNCTION_TAGS = {"p", "c", "d"}
# A common noun this frequent is an ordinary word (银行, 高校, 外资), not a name.
_COMMON_NOUN_FREQ = 1000
_COMMON_NOUN = "n+"  # the tag stored for frequent common nouns
_RARE_NOUN = "n-"  # the tag stored for other common nouns (产业链)
_OTHER = "other"  # the tag stored for any other known word
_PROPER_TAGS = {"nr", "ns", "nt", "nz", "nrt", "nrfg", "ng"}


@lru_cache(maxsize=1)
def _dictionary() -> tuple[dict[str, str], frozenset[str]]:
    """The word classes of :func:`_tags` and the function words of :func:`function_words`,
    read from jieba's dictionary once per process. Reading it takes about 0.4 s, so the
    result is kept (like jieba's own prefix cache) in the user's cache folder, keyed by the
    dictionary file and this module: later runs load it in about half the time."""
    import jieba

    with jieba.get_dict_file() as f:  # the dictionary inside the jieba package
        data = f.read()
    key = hashlib.sha256(data + Path(__file__).read_bytes()).hexdigest()[:16]
    cache = _cache_dir() / f"lexicon-{key}.marshal"
    try:
        tags, functions = marshal.loads(cache.read_bytes())
        if isinstance(tags, dict) and isinstance(functions, frozenset):
            return tags, functions
    except (OSError, ValueError, EOFError, TypeError):
        pass  # no cache yet, or a damaged one: read the dictionary
    tables = _read_dictionary(data.decode("utf-8"))
    try:
        write_atomic(cache, marshal.dumps(tables))
    except OSError:
        pass  # a read-only home: no cache, same tables
    return tables


def _cache_dir() -> Path:
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"
    except RuntimeError:  # no home directory (a bare container): jieba's cache folder
        return Path(tempfile.gettempdir()) / "kg"


def _read_dictionary(text: str) -> tuple[dict[str, str], frozenset[str]]:
    """The tables of :func:`_dictionary` from the text of jieba's ``dict.txt``."""
    tags: dict[str, str] = {}
    functions: set[str] = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        word, freq, tag = parts
        if tag in _FUNCTION_TAGS:
            functions.add(word)
        if len(word) < 2:
            continue
        if len(word) > 4:
            if tag in _PROPER_TAGS:
                tags[word] = tag
            continue
        if tag in _GENERIC_TAGS:
            tags[word] = tag
        elif tag == "n":
            tags[word] = _COMMON_NOUN if int(freq) >= _COMMON_NOUN_FREQ else _RARE_NOUN
        elif tag in _PROPER_TAGS:
            tags[word] = tag
        else:
            tags[word] = _OTHER
    return tags, frozenset(functions)


def _tags() -> dict[str, str]:
    """Tag of every 2-4 character word (frequent common nouns as ``n+``, rarer ones as ``n-``,
    other common words outside the descriptive classes as ``other``), and of longer proper
    nouns (中国共产党, 新闻出版署)."""
    return _dictionary()[0]


@lru_cache(maxsize=1)
def verbs() -> frozenset[str]:
    """Two- and three-character words jieba tags as verbs (``v``)."""
    return frozenset(w for w, t in _tags().items() if t == "v" and len(w) <= 3)


def is_generic_word(text: str) -> bool:
    """Whether ``text`` is one common descriptive word (民营, 大型, 高校), not a name."""
    tag = _tags().get(text)
    return tag is not None and tag not in (_OTHER, _RARE_NOUN) and tag not in _PROPER_TAGS


def word_frequency(text: str) -> int:
    """jieba's dictionary frequency of ``text`` (0 when it is not a dictionary word)."""
    import jieba

    if not jieba.dt.initialized:
        jieba.dt.initialize()
    return jieba.dt.FREQ.get(text, 0)


def is_dictionary_word(text: str) -> bool:
    """Whether ``text`` is a word of jieba's dictionary (of any length or frequency)."""
    return word_frequency(text) > 0


def is_noun(text: str) -> bool:
    """Whether jieba's dictionary tags ``text`` as a common noun (产业链, 企业)."""
    return _tags().get(text) in (_COMMON_NOUN, _RARE_NOUN)


def is_proper_noun(text: str) -> bool:
    """Whether jieba's dictionary tags ``text`` as a proper noun (``nr``, ``ns``, ``nt``, ``nz`` …:
    中国邮政, 腾讯, 曼联; also, being noisy, 智慧 and 养老)."""
    return _tags().get(text) in _PROPER_TAGS


def is_organisation_name(text: str) -> bool:
    """Whether jieba's dictionary tags ``text`` as an organisation name (``nt``: 招商银行)."""
    return _tags().get(text) == "nt"


def function_words() -> frozenset[str]:
    """Words jieba's dictionary tags as prepositions, conjunctions or adverbs (除, 据, 对于, 但,
    由于, 从未), at any length: a name does not start with one."""
    return _dictionary()[1]


def is_modifier_word(text: str) -> bool:
    """Whether ``text`` is one word that qualifies a noun (新型, 高等, 大型, 国有)."""
    return _tags().get(text) in _MODIFIER_TAGS


def is_activity_word(text: str) -> bool:
    """Whether ``text`` is one verb, verbal noun or frequent common noun (扶贫, 运营, 科技)."""
    tag = _tags().get(text)
    return tag in _ACTIVITY_TAGS or tag == _COMMON_NOUN
