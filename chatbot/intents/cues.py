"""Cue matching: words and phrases on lemmas or word beginnings, regex patterns, typo tolerance."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chatbot.intents.lemmas import in_dictionary, lemma
from chatbot.intents.pattern_scripts import Scripts, scripts_of, usable_by_scripts

ENOUGH = 1.0  # a score that is evidence enough: one normal cue
WEAK = 0.5  # a weak cue counts half

FUZZY_MIN_WORD = 6  # shorter words have too many neighbours at edit distance 1
FUZZY_MIN_CUE = 5
FUZZY_MIN_PREFIX = 6  # a short word beginning with one edit matches too much (позор*/поздр)
MAX_CORRECTIONS = 50_000


@dataclass(frozen=True, slots=True)
class Element:
    """One word of a cue: a lemma to compare with the word's lemma, or a word beginning."""

    text: str
    prefix: bool = False
    exact: bool = False  # this form only ("=возьму": not "взяли", whose lemma is the same)

    def matches(self, word: str, word_lemma: str) -> bool:
        """Whether a message word (and its lemma) is this element."""
        if self.prefix:
            return word.startswith(self.text)
        return word == self.text if self.exact else word_lemma == self.text


@dataclass(frozen=True, slots=True)
class Cue:
    """A word or a phrase (words in a row) that points to an intent, or vetoes it."""

    intent: str
    elements: tuple[Element, ...]
    weight: float
    negative: bool = False


@dataclass(frozen=True, slots=True)
class Pattern:
    """A regular expression on the cleaned message that points to an intent, or vetoes it."""

    intent: str
    regex: re.Pattern[str]
    weight: float
    negative: bool = False


_ESCAPE = re.compile(r"\\N\{[^}]*\}|\\.")


def compile_pattern(source: str) -> re.Pattern[str]:
    """A rule file's pattern as it runs on the cleaned text (ё written е); re.error if broken.

    The text is lowercased, so a pattern without capitals outside escapes (\\W, \\S) needs no
    IGNORECASE, and runs about a third faster without it.
    """
    source = source.replace("ё", "е").replace("Ё", "Е")
    capitals = any(c.isupper() for c in _ESCAPE.sub("", source))
    return re.compile(source, re.IGNORECASE if capitals else 0)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the cues found in one message."""

    scores: Mapping[str, float]
    negated: frozenset[str]
    covered: Mapping[str, frozenset[int]]
    fuzzy: frozenset[str]
    words: tuple[str, ...]
    patterned: frozenset[str] = frozenset()  # intents a pattern found (it covers no words)


@dataclass(frozen=True)
class CueIndex:
    """Cues indexed by their first words, plus deletion variants for typo tolerance."""

    cues: tuple[Cue, ...]
    patterns: tuple[Pattern, ...]
    known_lemmas: frozenset[str]
    fuzzy_lemmas: Mapping[str, str]
    # A typo is matched against the words as the rule files spell them ("позовите"), since a
    # misspelt form has no lemma of its own; this maps such a spelling to its lemma.
    spelled: Mapping[str, str] = field(default_factory=dict)
    fuzzy_prefixes: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    # The cues to try at a word. A phrase whose second element is a lemma is filed under its
    # first two elements (most phrases start with a common word: "не", "how", "у"); the
    # others under their first. Prefixes are grouped by their first `head` letters: one
    # lookup per word instead of one per prefix length.
    lemma_leads: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    lemma_pairs: Mapping[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    head: int = 0
    prefixes_by_head: Mapping[str, tuple[tuple[str, tuple[int, ...]], ...]] = field(
        default_factory=dict
    )
    prefix_pairs: Mapping[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    # The patterns that may match a text, by the alphabets it has letters of (most need one)
    patterns_by_scripts: Mapping[Scripts, tuple[Pattern, ...]] = field(default_factory=dict)
    # memo of typo corrections: a cache of a pure function, invisible to equality
    corrections: dict[str, tuple[str, str] | None] = field(
        default_factory=dict, compare=False, repr=False
    )


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _variants(canonical: Iterable[str]) -> dict[str, str]:
    # Symmetric deletion: two words at edit distance 1 (or one transposition) share a variant.
    # A variant reachable from two vocabulary entries is ambiguous and kept empty.
    table: dict[str, str] = {}
    for word in sorted(canonical):
        for variant in {word} | _deletes(word):
            table[variant] = word if table.get(variant, word) == word else ""
    return table


def build_index(
    cues: Iterable[Cue], patterns: Iterable[Pattern], spellings: Iterable[str] = ()
) -> CueIndex:
    """Compile cues and patterns for fast matching; `spellings` are the files' own words."""
    cue_list = tuple(cues)
    pattern_list = tuple(patterns)
    usable = usable_by_scripts([p.regex for p in pattern_list])
    elements = [e for cue in cue_list for e in cue.elements]
    spelled = {w: lemma(w) for w in spellings if not w.isdigit()}
    lemmas_ = {_key(e) for e in elements if not e.prefix}
    prefixes = {e.text for e in elements if e.prefix}
    fuzzy_prefixes: dict[int, dict[str, str]] = {}
    for length in sorted({len(p) for p in prefixes if len(p) >= FUZZY_MIN_PREFIX}):
        fuzzy_prefixes[length] = _variants(p for p in prefixes if len(p) == length)
    leads: dict[bool, dict[str, list[int]]] = {False: {}, True: {}}
    pairs: dict[bool, dict[tuple[str, str], list[int]]] = {False: {}, True: {}}
    for number, cue in enumerate(cue_list):
        first = cue.elements[0]
        if len(cue.elements) > 1 and not cue.elements[1].prefix:
            key = (_key(first), _key(cue.elements[1]))
            pairs[first.prefix].setdefault(key, []).append(number)
        else:
            leads[first.prefix].setdefault(_key(first), []).append(number)
    first_prefixes = {c.elements[0].text for c in cue_list if c.elements[0].prefix}
    head = min((len(p) for p in first_prefixes), default=0)
    by_head: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    for prefix in sorted(first_prefixes):
        loose = tuple(leads[True].get(prefix, ()))
        by_head.setdefault(prefix[:head], []).append((prefix, loose))
    return CueIndex(
        cues=cue_list,
        patterns=pattern_list,
        patterns_by_scripts={k: tuple(pattern_list[n] for n in v) for k, v in usable.items()},
        known_lemmas=frozenset(lemmas_),
        fuzzy_lemmas=_variants(w for w in {*lemmas_, *spelled} if len(w) >= FUZZY_MIN_CUE),
        spelled=spelled,
        fuzzy_prefixes=fuzzy_prefixes,
        lemma_leads={k: tuple(v) for k, v in leads[False].items()},
        lemma_pairs={k: tuple(v) for k, v in pairs[False].items()},
        head=head,
        prefixes_by_head={k: tuple(v) for k, v in by_head.items()},
        prefix_pairs={k: tuple(v) for k, v in pairs[True].items()},
    )


def _key(element: Element) -> str:
    """What the index files an element under: an exact form under its lemma, as words are."""
    return lemma(element.text) if element.exact else element.text


def _candidates(word: str, word_lemma: str, next_lemma: str | None, index: CueIndex) -> list[int]:
    """The cues that may start at this word, given the lemma of the word after it."""
    found = list(index.lemma_leads.get(word_lemma, ()))
    if next_lemma is not None:
        found.extend(index.lemma_pairs.get((word_lemma, next_lemma), ()))
    for prefix, numbers in index.prefixes_by_head.get(word[: index.head], ()):
        if word.startswith(prefix):
            found.extend(numbers)
            if next_lemma is not None:
                found.extend(index.prefix_pairs.get((prefix, next_lemma), ()))
    return found


def _known(word: str, word_lemma: str, index: CueIndex) -> bool:
    if word_lemma in index.known_lemmas:
        return True
    return any(
        word.startswith(prefix) for prefix, _ in index.prefixes_by_head.get(word[: index.head], ())
    )


def near(a: str, b: str) -> bool:
    """Whether two words differ by one edit (insert, delete, replace, swap of neighbours)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    if len(a) == len(b):
        return a[1:] == b[1:] or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])
    return a[1:] == b if len(a) > len(b) else b[1:] == a


def _correct(word: str, word_lemma: str, index: CueIndex) -> tuple[str, str] | None:
    """The vocabulary word (and lemma) a misspelt word most likely means, if any.

    Deletion variants find candidates fast; `near` then keeps only true one-edit neighbours,
    and the first letter must agree (people rarely mistype it, and it keeps "д/п" words apart).
    """
    for variant in (word_lemma, *sorted(_deletes(word_lemma))):
        found = index.fuzzy_lemmas.get(variant)
        if found and found[0] == word_lemma[0] and near(found, word_lemma):
            return found, index.spelled.get(found, found)
    for length, table in index.fuzzy_prefixes.items():
        for cut in (length, length + 1, length - 1):
            head = word[:cut]
            if len(head) != cut:
                continue
            for variant in (head, *sorted(_deletes(head))):
                found = table.get(variant)
                if found and found[0] == head[0] and near(found, head):
                    fixed = found + word[cut:]
                    return fixed, lemma(fixed)
    return None


def _rest_matches(
    elements: tuple[Element, ...], words: list[str], word_lemmas: list[str], start: int
) -> bool:
    """Whether a phrase's elements after the first match the words from `start` on."""
    for k, element in enumerate(elements[1:], start):
        if not element.matches(words[k], word_lemmas[k]):
            return False
    return True


def match(raw_words: Iterable[str], text: str, index: CueIndex) -> Evidence:
    """Score every intent by the cues found in the words and the cleaned text."""
    words = list(raw_words)
    word_lemmas = [lemma(w) for w in words]
    fuzzy_positions: set[int] = set()
    for i, word in enumerate(words):
        if len(word) >= FUZZY_MIN_WORD and not word.isdigit():
            if _known(word, word_lemmas[i], index) or in_dictionary(word):
                continue  # a cue's word, or a real word that is no typo of one
            if word in index.corrections:
                fixed = index.corrections[word]
            else:
                fixed = _correct(word, word_lemmas[i], index)
                if len(index.corrections) > MAX_CORRECTIONS:
                    index.corrections.clear()
                index.corrections[word] = fixed
            if fixed is not None:
                words[i], word_lemmas[i] = fixed
                fuzzy_positions.add(i)
    scores: dict[str, float] = {}
    negated: set[str] = set()
    covered: dict[str, set[int]] = {}
    fuzzy: set[str] = set()
    patterned: set[str] = set()
    seen: set[int] = set()
    last = len(words) - 1
    for i, word in enumerate(words):
        next_lemma = word_lemmas[i + 1] if i < last else None
        for number in _candidates(word, word_lemmas[i], next_lemma, index):
            cue = index.cues[number]
            end = i + len(cue.elements)
            if number in seen or end > len(words):
                continue
            if cue.elements[0].exact and words[i] != cue.elements[0].text:
                continue
            if end > i + 1 and not _rest_matches(cue.elements, words, word_lemmas, i + 1):
                continue
            seen.add(number)
            if cue.negative:
                negated.add(cue.intent)
                continue
            scores[cue.intent] = scores.get(cue.intent, 0.0) + cue.weight
            covered.setdefault(cue.intent, set()).update(range(i, end))
            if fuzzy_positions.intersection(range(i, end)):
                fuzzy.add(cue.intent)
    for pattern in index.patterns_by_scripts.get(scripts_of(text), index.patterns):
        if pattern.regex.search(text):
            if pattern.negative:
                negated.add(pattern.intent)
            else:
                scores[pattern.intent] = scores.get(pattern.intent, 0.0) + pattern.weight
                patterned.add(pattern.intent)
    frozen = {k: frozenset(v) for k, v in covered.items()}
    found = (frozenset(negated), frozen, frozenset(fuzzy), tuple(words), frozenset(patterned))
    return Evidence(scores, *found)
