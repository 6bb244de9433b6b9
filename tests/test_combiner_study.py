"""The combiner study's scoring, on synthetic readings whose worth is known."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier

import training.combiner_study as cs


def synthetic(n_docs: int = 150, seed: int = 3) -> dict[str, np.ndarray]:
    """Readings of 3 sentences per document: the claim head carries the claim label with
    noise, the hedge head the hedge label; the other readings are noise."""
    rng = np.random.default_rng(seed)
    n = 3 * n_docs
    y_claim = (rng.random(n) < 0.2).astype(int)
    y_hedge = (rng.random(n) < 0.4).astype(int)
    values = {
        "y-claim": y_claim,
        "y-hedge": y_hedge,
        "claim-head": 2.0 * y_claim + rng.normal(size=n),
        "hedge-head": 2.0 * y_hedge + rng.normal(size=n),
        # Two news sources, as document ids say them ("reuters21578:123").
        "groups": np.repeat([f"{'ab'[k % 2]}:d{k}" for k in range(n_docs)], 3),
    }
    for name in ("claim-tagger", "hedge-tagger", "length", "quote"):
        values[name] = rng.normal(size=n)
    for name in ("claim-none", "hedge-none"):
        values[name] = (rng.random(n) < 0.3).astype(float)
    # Hedge types: each hedge has one of five sets; each type head carries its own type.
    sets = np.array(
        [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0]]
    )
    y_types = sets[rng.integers(len(sets), size=n)] * y_hedge[:, None]
    values["y-types"] = np.where(y_hedge[:, None] == 1, y_types, -1)
    values["type-heads"] = 4.0 * y_types + rng.normal(size=y_types.shape)
    values["type-taggers"] = rng.normal(size=y_types.shape)
    return values


def test_an_informative_reading_outranks_noise():
    values = synthetic()
    y, groups = values["y-claim"], values["groups"]
    informative = cs.score(values["claim-head"][:, None], y, groups, cs._regression)
    noise = cs.score(values["claim-tagger"][:, None], y, groups, cs._regression)
    assert informative["average_precision"] > 0.6 > 0.4 > noise["average_precision"]
    assert informative["f1"] > noise["f1"]


def test_folds_keep_documents_whole():
    values = synthetic(n_docs=20)
    doc = np.repeat(np.arange(20), 3)  # a second column that tells the spy each row's document
    fitted, held = [], []

    class Spy:
        def __init__(self):
            self.inner = cs._regression()

        def fit(self, X, y):
            fitted.append(X[:, 1].tolist())
            self.inner.fit(X[:, :1], y)
            return self

        def predict_proba(self, X):
            held.append(X[:, 1].tolist())
            return self.inner.predict_proba(X[:, :1])

    columns = np.column_stack([values["claim-head"], doc])
    cs.score(columns, values["y-claim"], values["groups"], Spy, folds=4)
    assert len(fitted) == len(held) == 4
    for fit_docs, held_docs in zip(fitted, held, strict=True):
        assert not set(fit_docs) & set(held_docs)  # no document on both sides of a fold
        assert len(fit_docs) + len(held_docs) == 60  # and each row on one of them
    assert sorted(d for part in held for d in part) == sorted(doc.tolist())


def test_study_scores_every_variant_on_its_own_label():
    values = synthetic()
    result = cs.study(values)
    assert set(result) == {"claim", "hedge", "claim by source"}
    assert set(result["claim"]) == set(cs.VARIANTS["claim"])
    assert set(result["hedge"]) == set(cs.VARIANTS["hedge"])
    for label in ("claim", "hedge"):
        for metrics in result[label].values():
            assert 0.0 <= metrics["average_precision"] <= 1.0
    # The claim variants of BY_SOURCE again, per source: every row in one source.
    by_source = result["claim by source"]
    assert set(by_source) == set(cs.BY_SOURCE)
    for sources in by_source.values():
        assert set(sources) == {"a", "b"}
        assert sum(m["n"] for m in sources.values()) == len(values["y-claim"])
    # Each hedge variant reads the hedge head, which carries the hedge label.
    assert min(m["average_precision"] for m in result["hedge"].values()) > 0.7
    # The noise readings add nothing that the claim head alone does not give.
    alone = result["claim"]["head alone"]["average_precision"]
    assert result["claim"]["+ hedge tagger"]["average_precision"] == pytest.approx(alone, abs=0.05)


def test_type_study_scores_each_way_of_deciding_types_on_the_hedges(monkeypatch):
    # The study's boosting, made small: 50 fits of 200 rounds take most of a minute.
    small = HistGradientBoostingClassifier(max_iter=20, min_samples_leaf=10, random_state=0)
    monkeypatch.setattr(cs, "_boosting", lambda: clone(small))
    values = synthetic()
    result = cs.type_study(values)
    hedges = int(values["y-hedge"].sum())
    assert set(result) == {
        "shipped: per type, its head + its tagger word",
        "per type, every type's head and tagger word",
        "per type, every reading, gradient boosting",
        "one set of types, every reading",
    }
    for name, m in result.items():
        assert m["hedges"] == hedges  # the hedges only, each scored once
        # Each type head carries its type, so most sets come out exactly right.
        assert m["exact"] > 0.8, name
        assert ("likeliest_right" in m) == name.startswith(("shipped", "per type"))
    # With heads that carry nothing, no way of deciding gets most sets right.
    values["type-heads"] = np.random.default_rng(5).normal(size=values["type-heads"].shape)
    for name, m in cs.type_study(values).items():
        assert m["exact"] < 0.5, name
