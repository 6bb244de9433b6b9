"""The claim learning curve on small synthetic data: subsamples, folds, the table."""

import json

import numpy as np
import pytest
import scipy.sparse as sp

import training.learning_curve as lc
from service.analysis.model import MODELS_DIR
from tests.test_training import CLAIMS, NEUTRAL
from training.datasets import DEFAULT_DATA_ROOT, NEWS_LABELS, LabeledSentence
from training.train import VERSION, news_folds


def uneven_groups(n_docs: int = 40) -> np.ndarray:
    """Document ids of rows, documents of 1 to 4 rows, rows of a document not adjacent."""
    groups = np.concatenate([[f"d{k}"] * (1 + k % 4) for k in range(n_docs)])
    return np.random.default_rng(7).permutation(groups)


def news_rows(n_docs: int = 60) -> list[LabeledSentence]:
    """Synthetic news: each document one claim or not, two neutral sentences; a claim-rich
    third of the documents; plus Szeged rows, which carry no claim label."""
    rows = []
    for k in range(n_docs):
        doc, stratum = f"news{k}", "claim-rich" if k % 3 == 0 else "uniform"
        first = CLAIMS[k % 6] if k % 2 == 0 else NEUTRAL[(k + 3) % 6]
        rows.append(LabeledSentence(first, doc, "news", int(k % 2 == 0), 0, stratum=stratum))
        for j in (1, 2):
            text = NEUTRAL[(k + j) % 6]
            rows.append(LabeledSentence(text, doc, "news", 0, 0, stratum=stratum))
    rows += [LabeledSentence(t, f"sz{i}", "szeged-wiki", None, 0) for i, t in enumerate(CLAIMS)]
    return rows


def test_subsample_keeps_whole_documents_of_the_training_fold_only():
    groups = uneven_groups()
    for fitted, held in news_folds(groups, np.ones(len(groups), bool), 5):
        kept = lc.subsample_documents(fitted, groups, 0.5, np.random.default_rng(0))
        assert set(kept) <= set(fitted)
        assert not set(kept) & set(held)
        kept_docs = set(groups[kept])
        assert len(kept_docs) == round(0.5 * len(set(groups[fitted])))
        # Whole documents: every training row of a kept document is kept.
        assert sorted(kept) == sorted(i for i in fitted if groups[i] in kept_docs)


def test_full_fraction_keeps_every_training_row():
    groups = uneven_groups()
    fitted = np.arange(0, len(groups), 2)
    assert lc.subsample_documents(fitted, groups, 1.0, np.random.default_rng(0)) is fitted


def test_seeds_draw_different_subsamples():
    groups = uneven_groups()
    folds = list(news_folds(groups, np.ones(len(groups), bool), 5))
    one, two = (lc.training_rows(folds, groups, 0.5, seed) for seed in (0, 1))
    assert any(set(a) != set(b) for a, b in zip(one, two, strict=True))


def test_every_C_is_fitted_on_the_same_subsample(monkeypatch):
    groups = uneven_groups()
    n = len(groups)
    rng = np.random.default_rng(1)
    y = (rng.random(n) < 0.4).astype(int)
    # Column 0 carries the row number, so each fit shows which rows it was given.
    X = sp.csr_matrix(np.column_stack([np.arange(n) + 1.0, y + rng.normal(0, 0.3, n)]))
    data = lc.ClaimData(X, y.reshape(-1, 1), np.ones(n), groups, np.ones(n, bool))
    seen = []

    class Recording(lc.MaskedMultiLabel):
        def fit(self, X, Y, sample_weight=None):
            seen.append((self.C[0], frozenset(X[:, 0].toarray().ravel().astype(int) - 1)))
            return super().fit(X, Y, sample_weight=sample_weight)

    monkeypatch.setattr(lc, "MaskedMultiLabel", Recording)
    folds = list(news_folds(groups, np.ones(n, bool), 4))
    lc.curve_point(data, folds, 0.5, seed=3, c_grid=(0.3, 1.0, 3.0))

    assert [c for c, _ in seen] == [0.3] * 4 + [1.0] * 4 + [3.0] * 4
    by_c = [[rows for c, rows in seen if c == C] for C in (0.3, 1.0, 3.0)]
    assert by_c[0] == by_c[1] == by_c[2]
    for rows, (fitted, _) in zip(by_c[0], folds, strict=True):
        assert rows < set(fitted)  # a strict part of the training fold: a real subsample


def test_calibration_recovers_the_sigmoid_behind_the_scores():
    rng = np.random.default_rng(0)
    scores = rng.normal(0.0, 2.0, 20_000)
    truth = 1.0 / (1.0 + np.exp(-(0.5 * scores - 1.0)))
    y = (rng.random(scores.size) < truth).astype(int)
    assert np.abs(lc.calibrated(scores, y) - truth).max() < 0.03


def test_claim_data_holds_news_rows_only():
    rows = news_rows()
    data = lc.claim_data(rows)
    news = [s for s in rows if s.corpus == "news"]
    assert data.X.shape[0] == len(data.y) == len(news)
    assert data.y.tolist() == [s.claim for s in news]
    assert data.natural.sum() == sum(s.stratum != "claim-rich" for s in news)


def test_load_claim_data_never_reads_the_news_test_split(monkeypatch):
    rows = news_rows(12)
    corpora = {
        "news-train": [s for s in rows if s.corpus == "news"][:18],
        "news-dev": [s for s in rows if s.corpus == "news"][18:],
        "news-test": [LabeledSentence("A test sentence.", "held", "news", 1, 0)],
        "szeged-wiki-train": [s for s in rows if s.corpus != "news"],
        "szeged-bio-train": [],
    }
    monkeypatch.setattr(lc, "load_corpora", lambda root, labels: corpora)
    monkeypatch.setattr(lc, "load_vader_valence", lambda root: {})
    monkeypatch.setattr(lc, "news_clusters", lambda root: {})
    data = lc.load_claim_data(None, None)
    assert "held" not in set(data.groups)
    assert len(data.y) == 36


def test_tiny_run_produces_a_well_formed_table():
    data = lc.claim_data(news_rows())
    result = lc.learning_curve(data, fractions=(0.5, 1.0), seeds=2, folds=3, c_grid=(1.0,))

    assert [r["fraction"] for r in result["runs"]] == [0.5, 0.5, 1.0]
    assert [r["seed"] for r in result["runs"]] == [0, 1, 0]
    half, full = result["table"]
    assert (half["fraction"], half["runs"], full["fraction"], full["runs"]) == (0.5, 2, 1.0, 1)
    # At fraction 1 each fold trains on the other folds: (k - 1) / k of the positives.
    assert full["train_positives"] == pytest.approx(result["positives"] * 2 / 3)
    assert 0.3 < half["train_positives"] / full["train_positives"] < 0.7
    # Scored on the naturally drawn rows only, all of them in every run.
    assert {r["n"] for r in result["runs"]} == {int(data.natural.sum())}
    assert full["f1"] > 0.8  # the claim sentences are easy to tell apart
    assert full["f1_sd"] == 0.0  # one run at fraction 1
    for row in result["table"]:
        for key in ("f1", "precision", "recall", "average_precision"):
            assert 0.0 <= row[key] <= 1.0
    assert set(result["slope_per_doubling"]) == {"f1", "average_precision"}
    assert all(np.isfinite(v) for v in result["slope_per_doubling"].values())
    json.loads(json.dumps(result))
    lines = lc.format_table(result).splitlines()
    assert len(lines) == 1 + 2 + 1
    assert lines[-1].startswith("per doubling of training positives: F1 ")


@pytest.mark.parametrize("fractions", ["0,1", "0.5,1.5", ""])
def test_rejects_fractions_outside_the_unit_interval(fractions, capsys):
    with pytest.raises(SystemExit):
        lc.main(["--fractions", fractions])
    assert "argument --fractions: " in (err := capsys.readouterr().err)
    assert "give numbers in (0, 1] separated by commas" in err


@pytest.mark.slow
def test_full_fraction_reproduces_the_shipped_out_of_fold_claim_metrics():
    """The whole path (features, folds, C, calibration, threshold) is fit_model's."""
    manifest = json.loads((MODELS_DIR / f"caveat-{VERSION}.json").read_text())
    data = lc.load_claim_data(DEFAULT_DATA_ROOT, NEWS_LABELS)
    (run,) = lc.learning_curve(data, fractions=(1.0,))["runs"]
    expected = manifest["metrics"]["news-cv"]["claim-head"]
    assert {key: run[key] for key in expected} == expected
    assert run["C"] == manifest["params"]["C"]["claim"]


def test_written_rows_are_fitted_in_every_fold_and_never_scored():
    written = [
        LabeledSentence(CLAIMS[k % 6], f"written:w{k:05d}", "written", 1, 0, stratum="written")
        for k in range(10)
    ]
    rows = news_rows(30)
    data = lc.claim_data(rows + written)
    assert data.always.tolist() == [False] * (len(data.y) - 10) + [True] * 10
    folds = list(news_folds(data.groups, data.scored, 3))
    subsamples = lc.training_rows(folds, data.groups, 0.5, 0)
    fitted_sets = [lc.fitted_rows(data, sub) for sub in subsamples]
    for (_, held), fitted in zip(folds, fitted_sets, strict=True):
        assert set(np.flatnonzero(data.always)) <= set(fitted.tolist())
        assert not data.always[held].any()
    result = lc.learning_curve(data, fractions=(1.0,), folds=3, c_grid=(1.0,))
    assert result["rows"] == len(data.y) - 10
    assert result["positives"] == sum(s.claim for s in rows if s.corpus == "news")
