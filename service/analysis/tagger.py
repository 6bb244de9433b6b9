"""A learned token-level cue tagger: which words of a sentence are hedge cues, of what type
(the hedge tagger), or boost a claim (the claim tagger). What follows describes the hedge
tagger; the claim tagger is the same model with one cue kind, trained on the claim cue
spans of our news labels, its candidates read from the lexicon's claim cues.

Candidates are the word tokens (``\\w+``, the unit the cue metric counts) whose lower-cased
form was part of a gold hedge cue in the training data often enough, plus every token the
regex lexicon (``cues.find_cues``) marks as a hedge. Each candidate gets a handful of
context features (the word, its neighbours, its case, the lexicon's reading of it); one
multinomial logistic regression over {no cue, uncertainty, limitation, condition, contrast,
attribution} decides. Adjacent cue tokens of one type are merged into one span.

Feature names are hashed (scikit-learn's FeatureHasher, MurmurHash3) into ``n_features``
columns: no vocabulary of some 190,000 context strings is held in each worker's memory, and
fitting and serving hash the same way, so the model is trained on what it sees. Serving is
vectorised over all sentences of a document: the hashed features of every candidate of every
sentence form one sparse matrix, one product with the weights, one softmax. Only candidate
tokens (about 60 of a 400-word news article) get features. Serving hashes through memos of
the columns (``hashed_column``, FeatureHasher's rule) keyed by the words a feature is made of,
and builds the very csr matrix FeatureHasher would: the same probabilities, bit for bit.

The lexicon's reading of a token is a feature: a change to ``cues.py`` calls for refitting
(``python -m training.cue_tagger --out ...``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress, count

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.utils import murmurhash3_32

from service.analysis.cues import CueMatch, find_cues
from service.analysis.types import HEDGE_TYPES

_WORD = re.compile(r"(\w+)")
#: What may separate two cue tokens that form one span ("may or may not", "well-known").
_JOIN_GAP = re.compile(r"[\s'’-]{0,3}")
#: The cue kinds a tagger tells apart, by its ``target``: class 0 is "not a cue", class
#: k >= 1 is ``KINDS[target][k - 1]``.
KINDS = {"hedge": HEDGE_TYPES, "claim": ("claim",)}
#: The lexicon readings (``_regex_tags`` kinds) that make a token a candidate, by target.
_LEXICON_KINDS = {"hedge": frozenset(HEDGE_TYPES), "claim": frozenset(("claim",))}
#: The lexicon readings that make a token no candidate, by target: a negated or questioned
#: booster ("not a breakthrough", "is it really historic?") boosts nothing, and a word of a
#: booster hedges nothing: "there is no doubt", "will ensure" are certainty boosters, not
#: doubt or a forecast (LABELING.md).
_NEVER_KINDS = {"hedge": frozenset(("claim",)), "claim": frozenset(("claim-neg",))}

Span = tuple[int, int, str]
TaggedSpan = tuple[int, int, str, float]


def _lexicon_kind(cue: CueMatch) -> str | None:
    """How the lexicon reads a match: its hedge type, or "claim" ("claim-neg" when negated)."""
    if cue.label == "hedge":
        return cue.type
    return "claim-neg" if cue.negated else "claim"


def _regex_tags(text: str, cues: Sequence[CueMatch], n_tokens: int, starts: list[int]) -> list:
    """Per token: (kind, match text, position) of the lexicon match covering it, or None."""
    tags: list = [None] * n_tokens
    for cue in cues:
        # The tokens starting inside the match: a run of the (increasing) token starts.
        lo = bisect_left(starts, cue.start)
        hi = bisect_left(starts, cue.end, lo)
        if lo >= hi:
            continue
        kind = _lexicon_kind(cue)
        match = text[cue.start : cue.end].lower()
        tags[lo] = (kind, match, "B")
        if hi > lo + 1:
            inner = (kind, match, "I")
            for i in range(lo + 1, hi):
                tags[i] = inner
    return tags


def hashed_column(name: str, n_features: int) -> int:
    """The column scikit-learn's FeatureHasher (``alternate_sign=False``) gives ``name``:
    MurmurHash3 (32-bit, signed, seed 0) of its UTF-8 bytes, ``abs(h) % n_features``, with
    ``abs(-2**31)`` taken as ``2**31 - 1 - (n_features - 1)`` as ``_hashing_fast.pyx`` does."""
    h = murmurhash3_32(name, seed=0, positive=False)
    if h == -2147483648:
        return (2147483647 - (n_features - 1)) % n_features
    return abs(h) % n_features


class _Memo(dict):
    """Key -> hashed column(s), computed by ``make`` on first use; a hit is one lookup."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        value = self[key] = self.make(key)
        return value


class _ColumnMemos:
    """The columns of ``CueTagger._features``, memoised by the strings they are made of:
    building a tuple of a token's strings costs less than building and hashing the feature
    strings. Serving only; ``fit`` hashes through FeatureHasher."""

    def __init__(self, n_features: int):
        def col(name: str) -> int:
            return hashed_column(name, n_features)

        self.b, self.first, self.cap_inner, self.rx_none = map(
            col, ("b", "first", "cap-inner", "rx=none")
        )
        #: word -> "w=", "wc=" for (lower, capital) x (inner, first).
        self.centre = _Memo(
            lambda w: (
                col("w=" + w),
                col("wc=" + w + "|l"),
                col("wc=" + w + "|C"),
                col("wc=" + w + "|l|0"),
                col("wc=" + w + "|C|0"),
            )
        )
        #: word -> "p1=", "n1=", "p2=", "n2=".
        self.context = _Memo(
            lambda w: (col("p1=" + w), col("n1=" + w), col("p2=" + w), col("n2=" + w))
        )
        #: (p2, p1, w) -> "p1w=", "p2p1w=", "wp2=".
        self.left = _Memo(
            lambda k: (
                col("p1w=" + k[1] + "|" + k[2]),
                col("p2p1w=" + k[0] + "|" + k[1] + "|" + k[2]),
                col("wp2=" + k[2] + "|" + k[0]),
            )
        )
        #: (w, n1, n2) -> "wn1=", "wn1n2=", "wn2=".
        self.right = _Memo(
            lambda k: (
                col("wn1=" + k[0] + "|" + k[1]),
                col("wn1n2=" + k[0] + "|" + k[1] + "|" + k[2]),
                col("wn2=" + k[0] + "|" + k[2]),
            )
        )
        #: (p1, w) -> "p1w="; (w, n1) -> "wn1=" (``context`` 1).
        self.left1 = _Memo(lambda k: col("p1w=" + k[0] + "|" + k[1]))
        self.right1 = _Memo(lambda k: col("wn1=" + k[0] + "|" + k[1]))
        #: (w, punctuation) -> "w.="; word -> "wnum=".
        self.punct = _Memo(lambda k: col("w.=" + k[0] + "|" + k[1]))
        self.number = _Memo(lambda w: col("wnum=" + w))
        #: lexicon tag (kind, match, position) -> "rx=", "rxm=", "rxp="; (kind, w) -> "rxw=".
        self.tag = _Memo(
            lambda t: (col("rx=" + t[0]), col("rxm=" + t[1]), col("rxp=" + t[0] + t[2]))
        )
        self.tag_word = _Memo(lambda k: col("rxw=" + k[0] + "|" + k[1]))
        self.memos = [v for v in vars(self).values() if isinstance(v, _Memo)]

    def size(self) -> int:
        return sum(map(len, self.memos))


#: Column memos for serving, per ``n_features``; renewed when they grow past ``_MEMO_MAX``
#: entries. An entry holds about 350 bytes (its key's strings, the tuple, the columns):
#: 30,000 entries bound the memos to ~10 MB of a worker's 250 MB budget; 600 Reuters
#: articles of 400 words fill 59,000.
_MEMOS: dict[int, _ColumnMemos] = {}
_MEMO_MAX = 30_000


def _memos(n_features: int) -> _ColumnMemos:
    memos = _MEMOS.get(n_features)
    if memos is None or memos.size() > _MEMO_MAX:
        memos = _MEMOS[n_features] = _ColumnMemos(n_features)
    return memos


class CueTagger(BaseEstimator):
    """Token-level cue tagger (fit on sentences with gold spans; persist with joblib).

    ``target``: which cues it tags, ``"hedge"`` (typed: ``HEDGE_TYPES``) or ``"claim"`` (the
    boosters of a claim, one kind). ``min_count`` and ``min_ratio``: a word is a candidate
    when it was inside a gold cue at least ``min_count`` times and in at least ``min_ratio``
    of its occurrences; so is every word the lexicon reads as a cue of the target, and no word
    of a booster the lexicon reads as negated or questioned is a claim candidate. ``threshold``
    applies to P(cue) = 1 - P(no cue) of a token. ``context``: neighbours on each side (1 or 2)
    that the features read. ``n_features``: hashed feature columns. Taggers with the same
    ``n_features`` share their column memos when serving. ``not_candidates``: words that
    gold-cue counts never make candidates (one the lexicon reads as a cue of the target
    still is one there).

    ``read_kinds``: the kinds whose probabilities a token's reading sums (``tag``'s best
    token of a sentence, which the hedge combiner reads); None, as served, reads P(cue) of
    any kind. Set on a copy to read a corpus that marks only some kinds (Szeged marks no
    contrast: ``training.domain.in_domain``). Spans are decided on P(cue) either way.
    """

    #: A class attribute, so that taggers pickled before it existed read as they always did.
    read_kinds: tuple[str, ...] | None = None
    #: Likewise (only ``fit`` reads it).
    not_candidates: tuple[str, ...] = ()

    def __init__(
        self,
        min_count: int = 2,
        min_ratio: float = 0.01,
        C: float = 1.0,
        threshold: float = 0.5,
        context: int = 2,
        n_features: int = 2**19,
        target: str = "hedge",
        not_candidates: tuple[str, ...] = (),
    ):
        self.target = target
        self.not_candidates = not_candidates
        self.min_count = min_count
        self.min_ratio = min_ratio
        self.C = C
        self.threshold = threshold
        self.context = context
        self.n_features = n_features

    @property
    def kinds(self) -> tuple[str, ...]:
        """The cue kinds told apart (class k >= 1 of the model is ``kinds[k - 1]``)."""
        return KINDS[self.target]

    @property
    def classes(self) -> tuple[str, ...]:
        """The model's classes: "O" (no cue), then ``kinds``."""
        return ("O", *self.kinds)

    # ------------------------------------------------------------------ features

    @staticmethod
    def _tokens(text: str) -> tuple[list[str], list[int], list[int], list[str]]:
        """Word tokens: their text, start and end offsets, and lower-cased forms."""
        low_text = text.lower()
        if len(low_text) != len(text):  # a letter whose lower case is longer ("İ")
            words, starts, ends = [], [], []
            for m in _WORD.finditer(text):
                words.append(m.group())
                starts.append(m.start())
                ends.append(m.end())
            return words, starts, ends, [w.lower() for w in words]
        # Alternating gaps and words; the running lengths are the words' starts and ends.
        parts = _WORD.split(low_text)
        bounds = list(accumulate(map(len, parts)))
        low = parts[1::2]
        return low, bounds[0:-1:2], bounds[1::2], low

    def _features(
        self, i: int, low: list[str], tags: list, text: str, starts: list[int], ends: list[int]
    ) -> list[str]:
        """Feature names of token ``i`` of a sentence (``low``: its lower-cased tokens)."""
        w = low[i]
        n = len(low)
        p1 = low[i - 1] if i >= 1 else "<s>"
        n1 = low[i + 1] if i + 1 < n else "</s>"
        cap = "C" if text[starts[i]].isupper() else "l"
        first = i == 0
        out = [
            "b",
            "w=" + w,
            "wc=" + w + "|" + cap + ("|0" if first else ""),
            "p1=" + p1,
            "n1=" + n1,
            "p1w=" + p1 + "|" + w,
            "wn1=" + w + "|" + n1,
        ]
        if self.context >= 2:
            p2 = low[i - 2] if i >= 2 else "<s>"
            n2 = low[i + 2] if i + 2 < n else "</s>"
            out += [
                "p2=" + p2,
                "n2=" + n2,
                "p2p1w=" + p2 + "|" + p1 + "|" + w,
                "wn1n2=" + w + "|" + n1 + "|" + n2,
                "wp2=" + w + "|" + p2,
                "wn2=" + w + "|" + n2,
            ]
        if first:
            out.append("first")
        elif cap == "C":
            out.append("cap-inner")
        # The punctuation right after the word ("may," "if,").
        after = text[ends[i] : ends[i] + 2].strip()[:1]
        if after and not after.isalnum():
            out.append("w.=" + w + "|" + after)
        if n1[:1].isdigit():
            out.append("wnum=" + w)
        tag = tags[i]
        if tag is None:
            out.append("rx=none")
        else:
            kind, match, pos = tag
            out += ["rx=" + kind, "rxw=" + kind + "|" + w, "rxm=" + match, "rxp=" + kind + pos]
        return out

    def _sentence(self, text: str, cues: Sequence[CueMatch] | None):
        return self._candidates(parse(text, cues))

    def _candidates(self, parsed: Parsed):
        """``parsed`` (a sentence's ``parse``) and the indexes of its candidate tokens."""
        words, starts, ends, low, tags, cues = parsed
        candidates = self.candidates_
        kinds, never = _LEXICON_KINDS[self.target], _NEVER_KINDS[self.target]
        read = {_lexicon_kind(c) for c in cues}
        if not read.isdisjoint(kinds):
            cand = [
                i
                for i, w in enumerate(low)
                if w in candidates or (tags[i] is not None and tags[i][0] in kinds)
            ]
        else:  # no token reads as a cue of the target to the lexicon: the candidate words alone
            cand = list(compress(count(), map(candidates.__contains__, low)))
        if not read.isdisjoint(never):
            cand = [i for i in cand if tags[i] is None or tags[i][0] not in never]
        return words, starts, ends, low, tags, cand

    def _columns(
        self,
        cand: list[int],
        low: list[str],
        tags: list,
        text: str,
        starts: list[int],
        ends: list[int],
        memos: _ColumnMemos,
        out: list[int],
        indptr: list[int],
    ) -> None:
        """The hashed columns of ``_features`` of each candidate of a sentence, appended to
        ``out`` (one row each, in another order; ``indptr`` gets each row's end)."""
        centre, context, tag_cols = memos.centre, memos.context, memos.tag
        left, right, left1, right1 = memos.left, memos.right, memos.left1, memos.right1
        b, cap_inner, rx_none = memos.b, memos.cap_inner, memos.rx_none
        n = len(low)
        wide = self.context >= 2
        for i in cand:
            w = low[i]
            p1 = low[i - 1] if i >= 1 else "<s>"
            n1 = low[i + 1] if i + 1 < n else "</s>"
            upper = text[starts[i]].isupper()
            ce = centre[w]
            if wide:
                p2 = low[i - 2] if i >= 2 else "<s>"
                n2 = low[i + 2] if i + 2 < n else "</s>"
                out += (b, ce[0], context[p1][0], context[n1][1], context[p2][2], context[n2][3])
                out += left[(p2, p1, w)]
                out += right[(w, n1, n2)]
            else:
                out += (b, ce[0], context[p1][0], context[n1][1], left1[(p1, w)], right1[(w, n1)])
            if i == 0:
                out += (ce[4] if upper else ce[3], memos.first)
            elif upper:
                out += (ce[2], cap_inner)
            else:
                out.append(ce[1])
            after = text[ends[i] : ends[i] + 2].strip()[:1]
            if after and not after.isalnum():
                out.append(memos.punct[(w, after)])
            if n1[:1].isdigit():
                out.append(memos.number[w])
            tag = tags[i]
            if tag is None:
                out.append(rx_none)
            else:
                out += tag_cols[tag]
                out.append(memos.tag_word[(tag[0], w)])
            indptr.append(len(out))

    # ------------------------------------------------------------------ fitting

    def __getstate__(self) -> dict:
        """The state to pickle, with the candidate words sorted: a frozenset pickles in the
        order of its hashes, which change with every process (PYTHONHASHSEED), so the same
        fit gave different bytes and a different sha256 in the manifest on each run."""
        state = dict(super().__getstate__())  # object's is the live __dict__: copy it
        if isinstance(state.get("candidates_"), frozenset):
            state["candidates_"] = tuple(sorted(state["candidates_"]))
        return state

    def __setstate__(self, state: dict) -> None:
        """Read a pickled state: candidates as a sorted tuple, or as a frozenset (older)."""
        if isinstance(state.get("candidates_"), (tuple, list)):
            state = {**state, "candidates_": frozenset(state["candidates_"])}
        super().__setstate__(state)

    def fit(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        known_types: Sequence[Iterable[str]] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> CueTagger:
        """Fit on sentences and their gold cue spans (start, end, kind of ``kinds``).

        ``known_types[k]``: the kinds sentence k's corpus annotates (default: all ``kinds``). A
        token that is no gold cue but reads as a kind its corpus does not annotate (by the
        lexicon, or by the kind it usually has as a gold cue) is left out: unknown, not "O".
        """
        kinds, classes = self.kinds, self.classes
        known = [set(kinds)] * len(texts) if known_types is None else list(known_types)
        weights = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight)
        parsed = [self._tokens(t) for t in texts]
        in_cue: Counter[str] = Counter()
        total: Counter[str] = Counter()
        type_votes: dict[str, Counter[str]] = defaultdict(Counter)
        gold_of: list[list[str | None]] = []
        for (_words, starts, ends, low), gold, kt in zip(parsed, spans, known, strict=True):
            labels: list[str | None] = []
            for w, a, b in zip(low, starts, ends, strict=True):
                t = next((ty for s, e, ty in gold if s < b and a < e), None)
                labels.append(t)
                total[w] += 1
                if t is not None:
                    in_cue[w] += 1
                    if set(kinds) <= set(kt):
                        type_votes[w][t] += 1
            gold_of.append(labels)
        self.candidates_ = frozenset(
            w
            for w, c in in_cue.items()
            if c >= self.min_count
            and c / total[w] >= self.min_ratio
            and w not in self.not_candidates
        )
        usual_type = {w: v.most_common(1)[0][0] for w, v in type_votes.items()}
        rows, y, sw = [], [], []
        for text, kt, labels, weight in zip(texts, known, gold_of, weights, strict=True):
            words, starts, ends, low, tags, cand = self._sentence(text, None)
            for i in cand:
                t = labels[i]
                if t is None:
                    tag = tags[i]
                    if tag is not None and tag[0] in kinds and tag[0] not in kt:
                        continue
                    if usual_type.get(low[i], kinds[0]) not in kt:
                        continue
                rows.append(self._features(i, low, tags, text, starts, ends))
                y.append(classes.index(t) if t is not None else 0)
                sw.append(weight)
        X = self._matrix(rows)
        lr = LogisticRegression(C=self.C, max_iter=3000)
        lr.fit(X, np.array(y), sample_weight=np.array(sw))
        # Weights for every class of ``classes``; a class unseen in training never wins.
        coef = np.zeros((self.n_features, len(classes)), dtype=np.float32)
        intercept = np.full(len(classes), -1e9)
        if len(lr.classes_) == 2:  # sklearn keeps one weight vector: the second class's
            coef[:, lr.classes_[1]] = lr.coef_[0]
            intercept[lr.classes_] = (0.0, lr.intercept_[0])
        else:
            coef[:, lr.classes_] = lr.coef_.T
            intercept[lr.classes_] = lr.intercept_
        self.coef_ = coef
        self.intercept_ = intercept
        return self

    def _matrix(self, rows: list[list[str]], dtype=np.float64) -> sp.csr_matrix:
        """Hashed binary features of candidate tokens, one row each."""
        hasher = FeatureHasher(
            n_features=self.n_features, input_type="string", alternate_sign=False, dtype=dtype
        )
        return hasher.transform(rows)

    def _scores(self, X: sp.csr_matrix) -> np.ndarray:
        """Class probabilities of hashed feature rows: one sparse product, one softmax."""
        # float32 features against the float32 weights: a float64 matrix would make scipy
        # convert all 2**19 x 6 weights on every call.
        scores = np.asarray(X @ self.coef_, dtype=np.float64)
        scores += self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    # ------------------------------------------------------------------ serving

    def _proba(
        self,
        texts: Sequence[str],
        cues: Sequence[Sequence[CueMatch]] | None,
        sentences: Sequence[Parsed] | None = None,
    ) -> tuple[list[tuple[list[int], list[int], list[int]]], list[int], np.ndarray]:
        """Per sentence: candidate token indexes, their starts and ends; each sentence's first
        row; the class probabilities of all candidates of all sentences, one row each.
        ``sentences``: each text's ``parse`` when the caller has it (taggers share it).

        The rows are those ``_matrix`` builds from ``_features``, hashed through memos
        (``_columns``): the same columns, in the same canonical (sorted, summed) csr form."""
        if sentences is None:
            sentences = parse_all(texts, cues)
        parsed, offsets = [], []
        memos = _memos(self.n_features)
        out: list[int] = []
        indptr = [0]
        for text, sentence in zip(texts, sentences, strict=True):
            words, starts, ends, low, tags, cand = self._candidates(sentence)
            offsets.append(len(indptr) - 1)
            if cand:
                parsed.append((cand, [starts[i] for i in cand], [ends[i] for i in cand]))
                self._columns(cand, low, tags, text, starts, ends, memos, out, indptr)
            else:
                parsed.append((cand, [], []))
        if len(indptr) == 1:
            return parsed, offsets, np.zeros((0, len(self.classes)))
        X = sp.csr_matrix(
            (
                np.ones(len(out), dtype=np.float32),
                np.array(out, dtype=np.int32),
                np.array(indptr, dtype=np.int32),
            ),
            shape=(len(indptr) - 1, self.n_features),
        )
        X.sum_duplicates()  # sorts each row's columns, as FeatureHasher.transform does
        return parsed, offsets, self._scores(X)

    def token_proba(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> list[tuple[list[int], list[int], list[int], np.ndarray]]:
        """Per sentence: candidate token indexes, their starts, ends, class probabilities."""
        parsed, offsets, scores = self._proba(texts, cues)
        return [
            (cand, s, e, scores[pos : pos + len(cand)])
            for (cand, s, e), pos in zip(parsed, offsets, strict=True)
        ]

    def tag(
        self,
        texts: Sequence[str],
        cues: Sequence[Sequence[CueMatch]] | None = None,
        sentences: Sequence[Parsed] | None = None,
        by_kind: bool = False,
    ) -> tuple:
        """Cue spans (start, end, kind, P(cue)) of each sentence, and each sentence's largest
        P(cue) of any token (of ``read_kinds`` when set; 0 without candidates): one pass over
        the tokens. With ``by_kind``, a third item: each sentence's largest P of each kind
        (``kinds`` order; 0 without candidates), which the hedge type combiners read.

        ``cues``: the lexicon matches of each sentence when the caller has them already;
        ``sentences``: their ``parse_all`` (so that two taggers tokenise a text once).
        """
        out: list[list[TaggedSpan]] = [[] for _ in texts]
        best = np.zeros(len(texts))
        kind_best = np.zeros((len(texts), len(self.kinds))) if by_kind else None
        done = (out, best, kind_best) if by_kind else (out, best)
        parsed, offsets, proba = self._proba(texts, cues, sentences)
        if not len(proba):
            return done
        # All sentences at once: the same per-row numbers as sentence by sentence.
        p_cue = 1.0 - proba[:, 0]
        reading = p_cue
        if self.read_kinds is not None:
            reading = proba[:, [self.classes.index(k) for k in self.read_kinds]].sum(axis=1)
        filled = [k for k, (cand, _, _) in enumerate(parsed) if cand]
        firsts = [offsets[k] for k in filled]
        best[filled] = np.maximum.reduceat(reading, firsts)
        if by_kind:
            kind_best[filled] = np.maximum.reduceat(proba[:, 1:], firsts, axis=0)
        hits = np.flatnonzero(p_cue >= self.threshold)
        if not len(hits):
            return done
        kind_of = proba[hits, 1:].argmax(axis=1).tolist()
        ps = p_cue[hits].tolist()
        sentence = np.searchsorted(offsets, hits, side="right") - 1
        last = -2
        kinds = self.kinds
        for r, k, kind_i, p in zip(hits.tolist(), sentence.tolist(), kind_of, ps, strict=True):
            cand, starts, ends = parsed[k]
            j = r - offsets[k]
            found = out[k]
            kind = kinds[kind_i]
            if (
                found
                and cand[j] == last + 1
                and found[-1][2] == kind
                and _JOIN_GAP.fullmatch(texts[k][found[-1][1] : starts[j]])
            ):
                a, _, _, q = found[-1]
                found[-1] = (a, ends[j], kind, max(p, q))
            else:
                found.append((starts[j], ends[j], kind, p))
            last = cand[j]
        return done

    def spans(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> list[list[TaggedSpan]]:
        """Hedge cue spans (start, end, type, P(cue)) of each sentence of a document."""
        return self.tag(texts, cues)[0]

    def sentence_scores(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> np.ndarray:
        """Per sentence and cue kind: the largest P(cue of that kind) of any token."""
        return self.tag(texts, cues, by_kind=True)[2]


#: A sentence as the taggers read it: word tokens (text, starts, ends, lower-cased), the
#: lexicon's reading of each token (``_regex_tags``) and the lexicon matches.
Parsed = tuple[list[str], list[int], list[int], list[str], list, Sequence[CueMatch]]


def parse(text: str, cues: Sequence[CueMatch] | None = None) -> Parsed:
    """A sentence's tokens and their lexicon readings (``cues``: its lexicon matches, found
    here when None): what every tagger reads before choosing its candidates."""
    words, starts, ends, low = CueTagger._tokens(text)
    if cues is None:
        cues = find_cues(text)
    return words, starts, ends, low, _regex_tags(text, cues, len(words), starts), cues


def parse_all(
    texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
) -> list[Parsed]:
    """``parse`` of each text (``cues``: each text's lexicon matches, or None)."""
    if cues is None:
        return [parse(t) for t in texts]
    return [parse(t, c) for t, c in zip(texts, cues, strict=True)]


def merge_cues(
    text: str,
    found: Sequence[CueMatch],
    spans: Sequence[TaggedSpan],
    claim_spans: Sequence[TaggedSpan] = (),
) -> list[CueMatch]:
    """The cues a sentence reports: claim cues from the lexicon and the claim tagger
    (``claim_spans``), hedge cues from the lexicon and the hedge tagger (``spans``).

    The tagger decides which words are hedge cues; the lexicon knows the longer phrases
    LABELING.md names ("more work is needed", "will then need Russia's agreement"). So a
    lexicon hedge cue of three words or more is kept (it replaces the tagger's words inside
    it), a shorter one gives way to the tagger, and the tagger's cues are added. A hedge over
    a claim cue ("no doubt") gives way too: the lexicon's reading of a booster, negation
    included, is the more specific one. Last, the claim tagger's boosters that none of these
    covers ("the highest level in 15 years") are added. Cues never overlap.
    """
    claims = [c for c in found if c.label == "claim"]
    phrases = [
        c for c in found if c.label == "hedge" and len(text[c.start : c.end].split()) >= 3
    ]
    taken = claims + phrases
    for label, tagged in (("hedge", spans), ("claim", claim_spans)):
        taken += [
            CueMatch(label, kind if label == "hedge" else None, a, b)
            for a, b, kind, _ in tagged
            if not any(c.start < b and a < c.end for c in taken)
        ]
    return sorted(taken, key=lambda c: c.start)
