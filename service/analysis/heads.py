"""The model's final step: one calibrated binary classifier per label, trained where labeled.

The corpora label different things (Szeged: hedges only; our news: both), so
each head is fitted on the rows whose label is known (``-1`` marks unknown).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from service.analysis.types import HEDGE_TYPES

#: The columns of ``predict_proba``: the two sentence labels, then P(type | hedge) per type.
LABELS = ("claim", "hedge")
COLUMNS = LABELS + tuple(f"type:{t}" for t in HEDGE_TYPES)


class ConstantHead(BaseEstimator):
    """A head for a column whose training rows all carry one class (tiny or partial data)."""

    def __init__(self, positive: bool = False):
        self.positive = positive

    def decision_function(self, X) -> np.ndarray:
        """A large score of the one class seen."""
        return np.full(X.shape[0], 20.0 if self.positive else -20.0)


def decide_types(type_proba: Sequence[float], thresholds: Sequence[float]) -> list[str]:
    """The types of a flagged hedge: those at or over their threshold; when none is, the
    likeliest (the first of equals, as ``np.argmax``).

    The probabilities are the type combiners' (``CaveatModel.predict_proba``), which read the
    cue tagger's words of each type beside the type head, and the thresholds are 0.5: for
    calibrated, independent types, the set most likely to be exactly right."""
    chosen = [t for t, p, th in zip(HEDGE_TYPES, type_proba, thresholds, strict=True) if p >= th]
    return chosen or [HEDGE_TYPES[max(range(len(type_proba)), key=type_proba.__getitem__)]]


class PlattCalibrated(BaseEstimator):
    """A fitted linear model whose decision scores are mapped to probabilities by a 1-D sigmoid.

    The sigmoid is fitted on held-out scores from the target domain (news, out of fold),
    because a head trained mostly on Wikipedia and biomedical text is confident in
    the wrong places on news.
    """

    def __init__(self, base, a: float = 1.0, b: float = 0.0):
        self.base = base
        self.a = a
        self.b = b

    def decision_function(self, X) -> np.ndarray:
        """The base model's linear score."""
        return self.base.decision_function(X)

    def sigmoid(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probability of linear scores."""
        return 1.0 / (1.0 + np.exp(-(self.a * np.asarray(scores) + self.b)))

    def predict_proba_positive(self, X) -> np.ndarray:
        """P(label) for each row."""
        return self.sigmoid(self.decision_function(X))


def _by_domain(X, domains: np.ndarray, names: Sequence[str]):
    """``[X, X on names[0]'s rows, X on names[1]'s rows, ...]``: the shared features, then
    one copy per domain, zero on the other domains' rows."""
    X = sp.csr_matrix(X)
    blocks = [X] + [sp.diags((domains == name).astype(float)) @ X for name in names]
    return sp.hstack(blocks, format="csr")


class MaskedMultiLabel(ClassifierMixin, BaseEstimator):
    """Independent logistic-regression heads for ``claim`` and ``hedge`` over shared features."""

    def __init__(
        self,
        C: Sequence[float] = (1.0,) * len(COLUMNS),
        class_weight=None,
        max_iter: int = 2000,
        exclude: Sequence[Sequence[int]] | None = None,
        domain_heads: Sequence[int] = (),
        target_domain: str = "news",
    ):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.exclude = exclude
        self.domain_heads = domain_heads
        self.target_domain = target_domain

    def fit(
        self,
        X,
        Y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        domains: Sequence[str] | None = None,
    ) -> MaskedMultiLabel:
        """Fit one head per column of ``Y`` on the rows where that column is 0 or 1.

        ``exclude[j]``: feature columns head ``j`` may not read (their weight is 0; a head
        past the end of ``exclude`` reads every column), for
        what the labeling guidelines say cannot count towards its label whatever a few
        training rows suggest (a negated booster is no claim).

        ``domains`` (each row's corpus) and ``domain_heads``: the heads listed are fitted on
        features augmented by domain (Daumé III 2007, "Frustratingly easy domain
        adaptation"): every feature has a shared weight and one more per domain, read only
        on that domain's rows. So a corpus's own conventions (Szeged reads "is considered"
        as doubt and never marks a contrast, which our news labels do) go to its own copy
        instead of bending the weights news is read with. The fitted head keeps, as its one
        weight vector, the shared weights plus ``target_domain``'s: prediction costs what
        it did. The other domains' sums are kept in ``domain_coef_[j][domain]`` (float32),
        to score a corpus as the model knows it (``training.domain.in_domain``)."""
        Y = np.asarray(Y)
        self.heads_ = []
        self.domain_coef_: dict[int, dict[str, np.ndarray]] = {}
        for j, c in enumerate(self.C):
            known = Y[:, j] >= 0
            classes = np.unique(Y[known, j])
            if len(classes) < 2:
                self.heads_.append(
                    PlattCalibrated(ConstantHead(bool(classes.size and classes[0] == 1)))
                )
                continue
            lr = LogisticRegression(
                C=c,
                class_weight=self.class_weight,
                max_iter=self.max_iter,
                solver="liblinear",
                random_state=0,
            )
            weight = None if sample_weight is None else np.asarray(sample_weight)[known]
            excluded = list(self.exclude[j]) if self.exclude and j < len(self.exclude) else []
            Xj = X[known]
            if excluded:
                keep = np.ones(X.shape[1])
                keep[excluded] = 0.0
                Xj = (Xj @ sp.diags(keep)).tocsr()
            if domains is not None and j in self.domain_heads:
                row_domains = np.asarray(domains)[known]
                names = [self.target_domain] + sorted(
                    set(row_domains.tolist()) - {self.target_domain}
                )
                lr.fit(_by_domain(Xj, row_domains, names), Y[known, j], sample_weight=weight)
                blocks = lr.coef_[0].reshape(len(names) + 1, X.shape[1])
                shared = blocks[0]
                self.domain_coef_[j] = {
                    name: (shared + blocks[k]).astype(np.float32)
                    for k, name in enumerate(names[1:], start=2)
                }
                lr.coef_ = (shared + blocks[1])[None, :]
                lr.n_features_in_ = X.shape[1]
            else:
                lr.fit(Xj, Y[known, j], sample_weight=weight)
            if excluded:
                lr.coef_[0, excluded] = 0.0  # columns of zeros get no weight; say so exactly
            self.heads_.append(PlattCalibrated(lr))
        self.classes_ = np.array(COLUMNS[: len(self.C)])
        return self

    def calibrate_scores(self, scores: np.ndarray, Y: np.ndarray) -> MaskedMultiLabel:
        """Fit each head's sigmoid on held-out linear scores (e.g. out of fold) and their labels."""
        Y = np.asarray(Y)
        for j, head in enumerate(self.heads_):
            known = Y[:, j] >= 0
            if isinstance(head.base, ConstantHead) or len(np.unique(Y[known, j])) < 2:
                continue
            z = np.asarray(scores)[known, j].reshape(-1, 1)
            platt = LogisticRegression(C=1e4, solver="lbfgs").fit(z, Y[known, j])
            head.a, head.b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        return self

    def predict_proba(self, X) -> np.ndarray:
        """An (n, len(C)) array in COLUMNS order: P(claim), P(hedge), then P(type | hedge)."""
        return np.column_stack([head.predict_proba_positive(X) for head in self.heads_])

    def contributions(self, indices: np.ndarray, data: np.ndarray, j: int) -> np.ndarray:
        """The contribution to head ``j``'s linear score of each feature a row holds (its
        csr ``indices`` and ``data``): as long as the row, not the vocabulary, so that an
        explanation costs what the sentence holds."""
        base = self.heads_[j].base
        if isinstance(base, ConstantHead):
            return np.zeros(len(indices))
        return base.coef_[0][indices] * data


def cue_logit(cue_max: np.ndarray) -> np.ndarray:
    """The log-odds of the cue tagger's best token of each sentence (clipped away from 0 and 1)."""
    p = np.clip(np.asarray(cue_max, dtype=float), 1e-4, 1.0 - 1e-4)
    return np.log(p / (1.0 - p))


class CueCombiner:
    """P(label) of a sentence from two readings of it, by logistic regression on both: the
    sentence-level head's linear score and the log-odds of a cue tagger's likeliest cue token
    (service.analysis.tagger). One for hedges, one for claims.

    The head reads the whole sentence (a question, a reported plan); the tagger reads each
    word in its context ("may" the verb, not the month; "record" the high, not the file).
    Fitted on news held out from both.

    ``none``: a term for a sentence in which the tagger had no candidate word (its best
    probability is then 0, and its log-odds the clipped floor); fitted only when asked
    (``fit(..., none_term=True)``), else 0.

    The weights may also be arrays, one entry per column: ``stacked`` joins several
    combiners (the hedge types') into one that reads a column of scores and readings each,
    with the same arithmetic as each alone.
    """

    def __init__(self, head: float, cue: float, bias: float, none: float = 0.0):
        self.head = head
        self.cue = cue
        self.bias = bias
        self.none = none

    @classmethod
    def fit(
        cls, head_scores: np.ndarray, cue_max: np.ndarray, y: np.ndarray, none_term: bool = False
    ) -> CueCombiner:
        """Fit the weights on held-out scores and labels (barely regularised)."""
        columns = [head_scores, cue_logit(cue_max)]
        if none_term:
            columns.append(np.asarray(cue_max) == 0)
        lr = LogisticRegression(C=1e4, solver="lbfgs").fit(np.column_stack(columns), y)
        w = [float(x) for x in lr.coef_[0]]
        return cls(w[0], w[1], float(lr.intercept_[0]), w[2] if none_term else 0.0)

    @classmethod
    def stacked(cls, combiners: Sequence[CueCombiner]) -> CueCombiner:
        """One combiner whose weights are arrays: column k of ``proba``'s inputs is read with
        ``combiners[k]``'s weights."""
        weights = [c.as_dict() for c in combiners]
        return cls(**{k: np.array([w[k] for w in weights]) for k in weights[0]})

    def as_dict(self) -> dict[str, float]:
        """The weights as the manifest records them."""
        return {"head": self.head, "cue": self.cue, "bias": self.bias, "none": self.none}

    def _none_terms(self, cue_max: np.ndarray) -> np.ndarray:
        return self.none * (np.asarray(cue_max) == 0)

    def tagger_terms(self, cue_max: np.ndarray) -> np.ndarray:
        """The tagger's share of each sentence's log-odds (for explanations): its likeliest
        word's log-odds, plus the no-candidate term where it had no candidate word."""
        return self.cue * cue_logit(cue_max) + self._none_terms(cue_max)

    def proba(self, head_scores: np.ndarray, cue_max: np.ndarray) -> np.ndarray:
        """P(label) per sentence."""
        z = self.head * np.asarray(head_scores) + self.cue * cue_logit(cue_max) + self.bias
        if np.any(self.none):  # added last: a combiner without the term sums as it always did
            z += self._none_terms(cue_max)
        return 1.0 / (1.0 + np.exp(-z))
