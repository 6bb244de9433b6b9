"""A learned token-level hedge cue tagger: which words of a sentence are hedge cues, of what type.

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
tokens (about 60 of a 400-word news article) get features.

The lexicon's reading of a token is a feature: a change to ``cues.py`` calls for refitting
(``python -m training.cue_tagger --out ...``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression

from service.analysis.cues import CueMatch, find_cues
from service.analysis.types import HEDGE_TYPES

_WORD = re.compile(r"\w+")
#: What may separate two cue tokens that form one span ("may or may not", "well-known").
_JOIN_GAP = re.compile(r"[\s'’-]{0,3}")
#: Class 0 is "not a cue"; class k >= 1 is ``HEDGE_TYPES[k - 1]``.
CLASSES = ("O", *HEDGE_TYPES)

Span = tuple[int, int, str]
TaggedSpan = tuple[int, int, str, float]


def _regex_tags(text: str, cues: Sequence[CueMatch], n_tokens: int, starts: list[int]) -> list:
    """Per token: (kind, match text, position) of the lexicon match covering it, or None."""
    tags: list = [None] * n_tokens
    if not cues:
        return tags
    for cue in cues:
        kind = cue.type if cue.label == "hedge" else ("claim-neg" if cue.negated else "claim")
        match = text[cue.start : cue.end].lower()
        first = True
        for i in range(n_tokens):
            if cue.start <= starts[i] < cue.end:
                tags[i] = (kind, match, "B" if first else "I")
                first = False
    return tags


class CueTagger(BaseEstimator):
    """Token-level hedge cue tagger (fit on sentences with gold spans; persist with joblib).

    ``min_count`` and ``min_ratio``: a word is a candidate when it was inside a gold cue at
    least ``min_count`` times and in at least ``min_ratio`` of its occurrences. ``threshold``
    applies to P(cue) = 1 - P(no cue) of a token. ``context``: neighbours on each side (1 or 2)
    that the features read. ``n_features``: hashed feature columns.
    """

    def __init__(
        self,
        min_count: int = 2,
        min_ratio: float = 0.01,
        C: float = 1.0,
        threshold: float = 0.5,
        context: int = 2,
        n_features: int = 2**19,
    ):
        self.min_count = min_count
        self.min_ratio = min_ratio
        self.C = C
        self.threshold = threshold
        self.context = context
        self.n_features = n_features

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
        spans = [m.span() for m in _WORD.finditer(low_text)]
        starts = [a for a, _ in spans]
        ends = [b for _, b in spans]
        low = [low_text[a:b] for a, b in spans]
        return low, starts, ends, low

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
        words, starts, ends, low = self._tokens(text)
        if cues is None:
            cues = find_cues(text)
        tags = _regex_tags(text, cues, len(words), starts)
        cand = [
            i
            for i, w in enumerate(low)
            if w in self.candidates_ or (tags[i] is not None and tags[i][0] in HEDGE_TYPES)
        ]
        return words, starts, ends, low, tags, cand

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        known_types: Sequence[Iterable[str]] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> CueTagger:
        """Fit on sentences and their gold hedge cue spans (start, end, type).

        ``known_types[k]``: the hedge types sentence k's corpus annotates (default: all). A
        token that is no gold cue but reads as a type its corpus does not annotate (by the
        lexicon, or by the type it usually has as a gold cue) is left out: unknown, not "O".
        """
        known = [set(HEDGE_TYPES)] * len(texts) if known_types is None else list(known_types)
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
                    if set(HEDGE_TYPES) <= set(kt):
                        type_votes[w][t] += 1
            gold_of.append(labels)
        self.candidates_ = frozenset(
            w for w, c in in_cue.items() if c >= self.min_count and c / total[w] >= self.min_ratio
        )
        usual_type = {w: v.most_common(1)[0][0] for w, v in type_votes.items()}
        rows, y, sw = [], [], []
        for text, kt, labels, weight in zip(texts, known, gold_of, weights, strict=True):
            words, starts, ends, low, tags, cand = self._sentence(text, None)
            for i in cand:
                t = labels[i]
                if t is None:
                    tag = tags[i]
                    if tag is not None and tag[0] in HEDGE_TYPES and tag[0] not in kt:
                        continue
                    if usual_type.get(low[i], "uncertainty") not in kt:
                        continue
                rows.append(self._features(i, low, tags, text, starts, ends))
                y.append(CLASSES.index(t) if t is not None else 0)
                sw.append(weight)
        X = self._matrix(rows)
        lr = LogisticRegression(C=self.C, max_iter=3000)
        lr.fit(X, np.array(y), sample_weight=np.array(sw))
        # Weights for every class of CLASSES; a class unseen in training never wins.
        coef = np.zeros((self.n_features, len(CLASSES)), dtype=np.float32)
        intercept = np.full(len(CLASSES), -1e9)
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

    def _scores(self, rows: list[list[str]]) -> np.ndarray:
        """Class probabilities of feature rows: one sparse product, one softmax."""
        # float32 features against the float32 weights: a float64 matrix would make scipy
        # convert all 2**19 x 6 weights on every call.
        scores = np.asarray(self._matrix(rows, np.float32) @ self.coef_, dtype=np.float64)
        scores += self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    # ------------------------------------------------------------------ serving

    def token_proba(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> list[tuple[list[int], list[int], list[int], np.ndarray]]:
        """Per sentence: candidate token indexes, their starts, ends, class probabilities."""
        parsed, rows = [], []
        for k, text in enumerate(texts):
            words, starts, ends, low, tags, cand = self._sentence(
                text, None if cues is None else cues[k]
            )
            parsed.append((cand, [starts[i] for i in cand], [ends[i] for i in cand]))
            rows.extend(self._features(i, low, tags, text, starts, ends) for i in cand)
        if rows:
            scores = self._scores(rows)
        else:
            scores = np.zeros((0, len(CLASSES)))
        out, pos = [], 0
        for cand, s, e in parsed:
            out.append((cand, s, e, scores[pos : pos + len(cand)]))
            pos += len(cand)
        return out

    def tag(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> tuple[list[list[TaggedSpan]], np.ndarray]:
        """Hedge cue spans (start, end, type, P(cue)) of each sentence, and each sentence's
        largest P(cue) of any token (0 without candidates): one pass over the tokens.

        ``cues``: the lexicon matches of each sentence when the caller has them already.
        """
        out = []
        best = np.zeros(len(texts))
        tagged = self.token_proba(texts, cues)
        for k, ((cand, starts, ends, proba), text) in enumerate(zip(tagged, texts, strict=True)):
            found: list[TaggedSpan] = []
            if len(cand):
                p_cue = 1.0 - proba[:, 0]
                best[k] = p_cue.max()
                kinds = proba[:, 1:].argmax(axis=1)
                last = -2
                for j in np.flatnonzero(p_cue >= self.threshold):
                    kind, p = HEDGE_TYPES[kinds[j]], float(p_cue[j])
                    if (
                        found
                        and cand[j] == last + 1
                        and found[-1][2] == kind
                        and _JOIN_GAP.fullmatch(text[found[-1][1] : starts[j]])
                    ):
                        a, _, _, q = found[-1]
                        found[-1] = (a, ends[j], kind, max(p, q))
                    else:
                        found.append((starts[j], ends[j], kind, p))
                    last = cand[j]
            out.append(found)
        return out, best

    def spans(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> list[list[TaggedSpan]]:
        """Hedge cue spans (start, end, type, P(cue)) of each sentence of a document."""
        return self.tag(texts, cues)[0]

    def sentence_scores(
        self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]] | None = None
    ) -> np.ndarray:
        """Per sentence and hedge type: the largest P(cue of that type) of any token."""
        out = np.zeros((len(texts), len(HEDGE_TYPES)))
        for k, (cand, _, _, proba) in enumerate(self.token_proba(texts, cues)):
            if len(cand):
                out[k] = proba[:, 1:].max(axis=0)
        return out


def merge_cues(
    text: str, found: Sequence[CueMatch], spans: Sequence[TaggedSpan]
) -> list[CueMatch]:
    """The cues a sentence reports: the lexicon's claim cues, and hedge cues from both readers.

    The tagger decides which words are hedge cues; the lexicon knows the longer phrases
    LABELING.md names ("more work is needed", "will then need Russia's agreement"). So a
    lexicon hedge cue of three words or more is kept (it replaces the tagger's words inside
    it), a shorter one gives way to the tagger, and the tagger's cues are added. A hedge over
    a claim cue ("no doubt") gives way too: the lexicon's reading of a booster, negation
    included, is the more specific one. Cues never overlap.
    """
    claims = [c for c in found if c.label == "claim"]
    phrases = [
        c for c in found if c.label == "hedge" and len(text[c.start : c.end].split()) >= 3
    ]
    taken = claims + phrases
    added = [
        CueMatch("hedge", kind, a, b)
        for a, b, kind, _ in spans
        if not any(c.start < b and a < c.end for c in taken)
    ]
    return sorted(taken + added, key=lambda c: c.start)
