"""Sentence -> feature vector, shared by training and serving.

One pass over a sentence yields its tokens and its cues; from them come
word 1-2-grams (a vocabulary fitted on the training data) and cue features
(which label and type fired, negated boosters, a hedge after a claim cue in
the same sentence, quotation, question). The same ``SentenceFeatures``
object is the first step of the persisted Pipeline, so features cannot drift
between training and serving.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from service.analysis.cues import CueMatch, find_cues

# Letters (with an inner apostrophe), numbers, or one punctuation mark.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[^\w\s]")
# _TOKEN spelled out for ASCII text, where it finds the same tokens without looking up
# Unicode categories: \w is [a-zA-Z0-9_], \d is [0-9], \s is [\t-\r\x1c-\x1f ].
_ASCII_TOKEN = re.compile(
    r"[a-zA-Z]+(?:'[a-zA-Z]+)*|[0-9]+(?:[.,][0-9]+)*|[^a-zA-Z0-9_\t-\r\x1c-\x1f ]"
)
_DIGIT = re.compile(r"\d")
_QUOTES = frozenset('"“”«»')
# Feature families that encode the lexicon and valence priors (see ``column_scale_``).
_PRIOR_PREFIXES = ("cue:", "val:")
#: The features of a negated or questioned booster ("not a breakthrough", "is it really
#: historic?"). LABELING.md: such a sentence is no claim, so the claim head never reads them.
NEGATED_BOOSTER_FEATURES = ("cue:claim-negated", "cuew:not ")


def tokens(text: str) -> list[str]:
    """Lower-cased tokens with digits folded to 0 (so "5.93" and "6.42" share a feature)."""
    # Folding the sentence, not each token, gives the same tokens: a digit becomes another
    # digit, so no token boundary moves, and only number tokens hold digits.
    folded = _DIGIT.sub("0", text.lower())
    return (_ASCII_TOKEN if folded.isascii() else _TOKEN).findall(folded)


def _ngrams(toks: list[str], n_max: int) -> list[str]:
    grams = ["w:" + t for t in toks]
    if n_max >= 2:
        grams += [f"w:{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
    return grams


#: Words that intensify the next evaluative word ("hugely successful").
_INTENSIFIERS = frozenset(
    "very extremely hugely highly incredibly truly really enormously immensely most so "
    "remarkably exceptionally tremendously".split()
)


def valence_features(toks: list[str], valence: Mapping[str, float]) -> list[str]:
    """Optimism and force read from word valence: strong positive words, intensified ones.

    ``valence`` maps a word to its mean rating in [-4, 4] (VADER's lexicon,
    Hutto & Gilbert 2014, MIT), baked into the fitted step at training time.
    """
    names = []
    scores = [v for v in map(valence.get, toks) if v is not None]  # absent words are 0.0
    positive = sum(v >= 1.0 for v in scores)
    if positive:
        names.append("val:pos")
        names.append("val:pos>=2" if positive >= 2 else "val:pos=1")
    if any(v >= 2.0 for v in scores):
        names.append("val:strong")
    if any(v <= -1.0 for v in scores):
        names.append("val:neg")
        if not positive:
            names.append("val:neg-only")
    if not _INTENSIFIERS.isdisjoint(toks):
        for a, b in zip(toks, toks[1:], strict=False):
            if a in _INTENSIFIERS and valence.get(b, 0.0) >= 1.0:
                names.append("val:intensified-pos")
                break
    return names


def cue_features(text: str, cues: Sequence[CueMatch]) -> list[str]:
    """Names of the lexicon and shape features that fire for a sentence."""
    names = []
    first_claim = None
    for cue in cues:
        cue_text = text[cue.start : cue.end].lower()
        if cue.label == "claim":
            if cue.negated:
                names += ["cue:claim-negated", f"cuew:not {cue_text}"]
                continue
            names += ["cue:claim", f"cuew:{cue_text}"]
            if cue_text.count(" ") >= 1:
                names.append("cue:claim:phrase")
            if first_claim is None:
                first_claim = cue.start
        else:
            names += [f"cue:hedge:{cue.type}", f"cuew:{cue_text}"]
            if cue_text.count(" ") >= 2:
                # A phrase of three words or more ("more work is needed") is far more
                # specific than a single word of the same type ("only", "limited").
                names.append(f"cue:hedge:{cue.type}:phrase")
            if first_claim is not None and cue.start > first_claim:
                names.append(f"cue:hedge-after-claim:{cue.type}")
    if not _QUOTES.isdisjoint(text):
        names.append("shape:quote")
    if text.rstrip().endswith("?"):
        names.append("shape:question")
    n = len(text.split())
    names.append("shape:len<8" if n < 8 else "shape:len<25" if n < 25 else "shape:len>=25")
    return names


def cluster_names(found: tuple[int, ...]) -> list[str]:
    """The features of a word's clusters, ``clu:<level>:<cluster>`` (one cluster per level,
    coarse to fine: ``training.clusters``)."""
    return [f"clu:{level}:{c}" for level, c in enumerate(found)]


def cluster_features(toks: list[str], clusters: Mapping[str, tuple[int, ...]]) -> list[str]:
    """The cluster features of each token in the word clusters, so that words used alike
    share a feature."""
    return [name for t in toks if t in clusters for name in cluster_names(clusters[t])]


class SentenceFeatures(TransformerMixin, BaseEstimator):
    """Binary bag of word 1-2-grams plus cue features, over a vocabulary fitted on training text."""

    def __init__(
        self,
        ngram_max: int = 2,
        min_df: int = 2,
        valence: Mapping[str, float] | None = None,
        prior_scale: float = 1.0,
        clusters: Mapping[str, tuple[int, ...]] | None = None,
    ):
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.valence = valence
        self.prior_scale = prior_scale
        self.clusters = clusters

    def _names(self, text: str, cues: Sequence[CueMatch]) -> list[str]:
        toks = tokens(text)
        names = _ngrams(toks, self.ngram_max) + cue_features(text, cues)
        if self.valence:
            names += valence_features(toks, self.valence)
        if self.clusters:
            names += cluster_features(toks, self.clusters)
        return names

    def fit(self, X: Sequence[str], y=None) -> SentenceFeatures:
        """Keep every feature seen in at least ``min_df`` training sentences."""
        df: Counter[str] = Counter()
        for text in X:
            df.update(set(self._names(text, find_cues(text))))
        kept = sorted(name for name, count in df.items() if count >= self.min_df)
        self.vocabulary_ = {name: i for i, name in enumerate(kept)}
        # Lexicon and valence features carry prior knowledge that a few thousand labeled
        # sentences cannot teach: a larger value is a weaker L2 penalty on their weights.
        self.column_scale_ = np.array(
            [self.prior_scale if name.startswith(_PRIOR_PREFIXES) else 1.0 for name in kept]
        )
        return self

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        """Features of raw sentences (finds their cues itself)."""
        return self.transform_parsed(X, [find_cues(text) for text in X])

    def _word_columns(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        """The vocabulary's word features keyed by their tokens: unigram ``"w:t"`` by ``t``,
        bigram ``"w:a b"`` by ``(a, b)`` (tokens hold no space). Looking a token pair up
        costs less than spelling its feature name.

        Derived from ``vocabulary_``, never pickled; built on load, so that a preloading
        server builds it once before its workers fork. A bigram's words are unigrams of the
        vocabulary too (a sentence holding "a b" holds "a" and "b", so their counts are
        at least its count), and its key reuses their strings: ~13 MB for 111,000 features.
        """
        cached = self.__dict__.get("_word_columns_")
        if cached is None or cached[0] is not self.vocabulary_:
            uni: dict[str, int] = {}
            pairs: list[tuple[str, str, int]] = []
            for name, i in self.vocabulary_.items():
                if name.startswith("w:"):
                    a, space, b = name[2:].partition(" ")
                    if space:
                        pairs.append((a, b, i))
                    else:
                        uni[a] = i
            word = {w: w for w in uni}  # one string object per word, shared by the keys
            bi = {(word.get(a, a), word.get(b, b)): i for a, b, i in pairs}
            cached = self.__dict__["_word_columns_"] = (self.vocabulary_, uni, bi)
        return cached[1], cached[2]

    def _cluster_columns(self) -> dict[str, tuple[int, ...]]:
        """The columns of each clustered word's cluster features that the vocabulary kept
        (derived like ``_word_columns``: never pickled, built on load)."""
        if not self.clusters:
            return {}
        cached = self.__dict__.get("_cluster_columns_")
        if cached is None or cached[0] is not self.vocabulary_:
            lookup = self.vocabulary_.get
            columns = {}
            for word, found in self.clusters.items():
                kept = tuple(i for i in map(lookup, cluster_names(found)) if i is not None)
                if kept:
                    columns[word] = kept
            cached = self.__dict__["_cluster_columns_"] = (self.vocabulary_, columns)
        return cached[1]

    def __getstate__(self) -> dict:
        # A copy: on Python 3.11 the default state is the instance's own ``__dict__``, so
        # popping from it would strip the live object's maps on every pickling.
        state = dict(super().__getstate__())
        state.pop("_word_columns_", None)
        state.pop("_cluster_columns_", None)
        return state

    def __setstate__(self, state: dict) -> None:
        state.setdefault("clusters", None)  # pickled before model 1.12.0
        super().__setstate__(state)
        if "vocabulary_" in self.__dict__:
            self._word_columns()
            self._cluster_columns()

    def transform_parsed(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]]
    ) -> sp.csr_matrix:
        """Features of sentences whose cues the caller already found (the serving path).

        The columns of ``_names``, with word n-grams looked up by their tokens."""
        lookup = self.vocabulary_.get
        uni, bi = self._word_columns()
        bigrams = self.ngram_max >= 2
        valence = self.valence
        clustered = self._cluster_columns()
        indptr, indices = [0], []
        for text, found in zip(texts, cues, strict=True):
            toks = tokens(text)
            row = set(map(uni.get, toks))
            if bigrams:
                row.update(map(bi.get, zip(toks, toks[1:], strict=False)))
            row.update(map(lookup, cue_features(text, found)))
            if valence:
                row.update(map(lookup, valence_features(toks, valence)))
            if clustered:
                for t in toks:
                    row.update(clustered.get(t, ()))
            row.discard(None)  # names outside the vocabulary
            indices.extend(sorted(row))
            indptr.append(len(indices))
        columns = np.asarray(indices, dtype=np.int32)
        return sp.csr_matrix(
            (self.column_scale_[columns], columns, np.asarray(indptr, dtype=np.int64)),
            shape=(len(texts), len(self.vocabulary_)),
        )

    def columns_starting(self, prefixes: tuple[str, ...]) -> tuple[int, ...]:
        """The columns of the features whose names start with one of ``prefixes``."""
        return tuple(sorted(i for name, i in self.vocabulary_.items() if name.startswith(prefixes)))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Feature names in column order (for explanations). A word cluster's name says
        which words it holds: its three most frequent ("clu:1:196 (important, difficult,
        hard)"; the map lists words most frequent first)."""
        members: dict[str, list[str]] = {}
        for word, found in (self.clusters or {}).items():
            for name in cluster_names(found):
                if len(members.setdefault(name, [])) < 3:
                    members[name].append(word)
        names = np.empty(len(self.vocabulary_), dtype=object)
        for name, i in self.vocabulary_.items():
            names[i] = f"{name} ({', '.join(members[name])})" if name in members else name
        return names
