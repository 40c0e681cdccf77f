"""Texts into TF-IDF terms: tokens, the light stemmer, profile phrases, the call document and the vectoriser."""

from __future__ import annotations

import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer
from sklearn.preprocessing import normalize

from eumonitor.matching.stopwords import BOILERPLATE, NORWEGIAN
from eumonitor.model import Call, Profile

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | NORWEGIAN | BOILERPLATE)
# Words only: identifiers and numbers would make every call's own id its strongest term.
TOKEN_PATTERN = r"[^\W\d_]{2,}"
_TOKEN = re.compile(TOKEN_PATTERN)
# The head of a call (titles, keywords, priorities) is repeated so it outweighs the long description.
HEAD_REPEAT = 3
# Past this, descriptions are mostly eligibility and procedure boilerplate; cutting also keeps fits fast.
DESCRIPTION_CHARS = 3000


def tokens_of(text: str) -> list[str]:
    """A text's words as the matcher reads them: lowercased, letters only (stop words still in)."""
    return _TOKEN.findall(text.lower())


def words_of(text: str) -> list[str]:
    """The words a text is scored on: its tokens without stop words."""
    return [w for w in tokens_of(text) if w not in STOP_WORDS]


# English plural and verbal/nominal endings, stripped when at least MIN_STEM letters stay.
_ENGLISH_SUFFIXES = ("ations", "ation", "ities", "ity", "ings", "ing", "ies", "es", "s", "ed")
# Norwegian endings (definite and plural forms) are also common endings of unrelated English words
# ("career", "planet", "internet"): stripped only when a longer stem stays, and never from "-eer".
_NORWEGIAN_SUFFIXES = ("ene", "er", "en", "et")
MIN_STEM = 4
MIN_NORWEGIAN_STEM = 5
# English words that the Norwegian endings would still cut into another word.
_KEEP = frozenset({"internet", "cabinet", "blanket", "mindset", "dataset", "toolset", "garden", "kitchen"})


def stem(word: str) -> str:
    """A light suffix stripper, so a profile's "ocean" also finds "oceans" (English and Norwegian).

    One ending is stripped, and only where enough of the word stays that it is unlikely to become another
    word: "oceans" -> "ocean", "buildings" -> "build", "tjenestene" -> "tjenest", but "career" stays
    "career" (not "care", which would give a care profile every call about research careers).
    """
    if word in _KEEP or word.endswith(("ss", "us", "is")):
        return word
    for suffix in _ENGLISH_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    if word.endswith("eer"):
        return word
    for suffix in _NORWEGIAN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_NORWEGIAN_STEM:
            return word[: -len(suffix)]
    return word


def stem_key(term: str) -> str:
    return " ".join(stem(w) for w in term.split(" "))


def singular(word: str) -> str:
    """An English plural's singular, roughly: "technologies" -> "technology", "basins" -> "basin"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("s", "x", "ch", "sh")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def phrase_key(tokens: Sequence[str]) -> str:
    """What makes two ways of writing a phrase the same column: "sea basin" and "sea basins"."""
    return " ".join([*tokens[:-1], singular(tokens[-1])])


def inflections(word: str) -> set[str]:
    """A phrase's last word as it may appear in a call: singular and plural, English and Norwegian."""
    base = singular(word)
    forms = {word, base, base + "s", base + "es", base + "er", base + "en", base + "ene", base + "et"}
    if base.endswith("y"):
        forms.add(base[:-1] + "ies")
    return {f for f in forms if len(f) >= 2}


class PhraseAnalyzer:
    """Counts a call's words plus a fixed set of multi-word phrases (the profiles' own).

    Counting every word bigram of 50,000 calls costs more than the rest of the fit together; the only
    phrases a profile can ask for are its own, so only those are counted. A phrase is matched as written,
    stop words included ("vocational education and training"), its last word in any of its inflections.
    Each variant is looked for only in calls that hold all of its words, keyed on its longest word.
    """

    def __init__(self, phrases: Iterable[str] = ()):
        self.names: dict[str, str] = {}  # phrase_key -> column name (the phrase as first written)
        self.by_key: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
        for phrase in sorted(set(phrases)):
            tokens = tokens_of(phrase)
            if len(tokens) < 2 or phrase_key(tokens) in self.names:
                continue
            name = self.names[phrase_key(tokens)] = " ".join(tokens)
            for last in sorted(inflections(tokens[-1])):
                words = (*tokens[:-1], last)
                key = max(words, key=len)
                others = frozenset(words) - {key}
                self.by_key.setdefault(key, []).append((" " + " ".join(words) + " ", name, others))
        self.keys = frozenset(self.by_key)

    def phrase_name(self, phrase: str) -> str | None:
        """The column name a profile phrase counts under, or None when this fit does not count it."""
        tokens = tokens_of(phrase)
        return self.names.get(phrase_key(tokens)) if len(tokens) >= 2 else None

    def __call__(self, doc: str) -> Counter:
        """Term counts of one document; stop words are still in (the vectorizer drops their columns)."""
        tokens = _TOKEN.findall(doc.lower())
        counted = Counter(tokens)
        present = self.keys.intersection(counted)
        if present:
            text = ""
            words = counted.keys()
            for key in present:
                for pattern, name, others in self.by_key[key]:
                    if words >= others:
                        text = text or " " + " ".join(tokens) + " "
                        count = text.count(pattern)
                        if count:
                            counted[name] += count
        return counted


class Vectorizer:
    """Counts words and phrases per call, then TF-IDF as scikit-learn's TfidfTransformer (sublinear tf, idf, l2).

    The counting is what a fit spends its time on; counting each call's words with a Counter and looking
    up each distinct word once is faster than scikit-learn's per-token loop, with the same result.
    The weighting is done here from `idf_`, so vectors restored from the archive need only the vocabulary
    and the IDF (plain arrays), never a fitted scikit-learn object.
    """

    def __init__(self, phrases: Iterable[str] = ()):
        self.analyzer = PhraseAnalyzer(phrases)
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray = np.zeros(0, dtype=np.float32)

    @classmethod
    def restored(cls, phrases: Iterable[str], terms: Sequence[str], idf: np.ndarray) -> Vectorizer:
        """A fitted vectoriser from what a fit learnt: its phrases, the terms by column, and their IDF."""
        vectorizer = cls(phrases)
        vectorizer.vocabulary_ = {term: col for col, term in enumerate(terms)}
        vectorizer.idf_ = idf
        return vectorizer

    def _counts(self, docs: Iterable[str], grow: bool) -> sparse.csr_matrix:
        if grow:
            vocabulary: dict[str, int] = defaultdict()
            vocabulary.default_factory = vocabulary.__len__  # a new term gets the next column
        else:
            vocabulary = self.vocabulary_
        # Typed arrays, not lists: at 50,000 calls there are some seven million entries, and a list holds each
        # as a Python int object (tens of bytes) where an array holds four bytes.
        indices = array("i")
        values = array("f")
        indptr = array("q", [0])
        analyze = self.analyzer
        for doc in docs:
            counted = analyze(doc)
            if grow:
                indices.extend(map(vocabulary.__getitem__, counted))
                values.extend(counted.values())
            else:
                known = [t for t in counted if t in vocabulary]
                indices.extend(map(vocabulary.__getitem__, known))
                values.extend(map(counted.__getitem__, known))
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (
                np.frombuffer(values, dtype=np.float32),
                np.frombuffer(indices, dtype=np.int32),
                np.frombuffer(indptr, dtype=np.int64),
            ),
            (len(indptr) - 1, len(vocabulary)),
        )
        if grow:
            # Stop words are counted with the rest (cheaper than filtering every token) and dropped here.
            kept = [(term, col) for term, col in vocabulary.items() if term not in STOP_WORDS]
            self.vocabulary_ = {term: i for i, (term, _) in enumerate(kept)}
            matrix = matrix[:, np.fromiter((col for _, col in kept), dtype=np.int64, count=len(kept))]
        return matrix

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """What TfidfTransformer(sublinear_tf=True).transform computes: 1 + log(tf), times idf, rows l2-normed."""
        np.log(counts.data, counts.data)
        counts.data += 1.0
        counts.data *= self.idf_[counts.indices]
        return normalize(counts, norm="l2", copy=False).tocsr()

    def fit_transform(self, docs: Iterable[str]) -> sparse.csr_matrix:
        counts = self._counts(docs, grow=True)
        if counts.shape[0] == 0:
            # An empty archive (a first run, no network) is a state like any other: an empty vocabulary,
            # against which every later call is new and a refit follows once calls arrive.
            self.idf_ = np.zeros(counts.shape[1], dtype=np.float32)
            return counts.tocsr()
        # scikit-learn learns the (smoothed) IDF; the weighting itself is _weigh, shared with transform.
        self.idf_ = TfidfTransformer(sublinear_tf=True).fit(counts).idf_
        return self._weigh(counts)

    def fit(self, docs: Iterable[str]) -> Vectorizer:
        self.fit_transform(docs)
        return self

    def transform(self, docs: Iterable[str]) -> sparse.csr_matrix:
        return self._weigh(self._counts(docs, grow=False))

    def get_feature_names_out(self) -> np.ndarray:
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, col in self.vocabulary_.items():
            names[col] = term
        return names


def new_vectorizer(phrases: Iterable[str] = ()) -> Vectorizer:
    return Vectorizer(phrases)


def call_document(call: Call) -> str:
    """The text a call is scored on: its head repeated above a trimmed description."""
    priorities = " ".join(call.extra.get("cross_cutting_priorities", ()) if call.extra else ())
    head = " . ".join([call.title, call.call_title, " . ".join(call.keywords), " ".join(call.tags), priorities])
    return "\n".join([head] * HEAD_REPEAT + [call.description_text[:DESCRIPTION_CHARS]])


def profile_phrases(profiles: Iterable[Profile]) -> list[str]:
    """Every multi-word keyword and exclude term of the profiles: the phrases a fit counts."""
    found = set()
    for profile in profiles:
        for term in [k.term for k in profile.keywords] + list(profile.exclude):
            if len(tokens_of(term)) >= 2:
                found.add(term.lower())
    return sorted(found)
