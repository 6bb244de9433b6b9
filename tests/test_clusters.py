"""The word clusters of the sentence heads (training.clusters, quality-history rule 17)."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
import scipy.sparse as sp

from training import clusters as C
from training.datasets import iter_ptc, iter_reuters
from training.news_pool import split_of


def test_cooccurrences_count_pairs_within_the_window_and_never_across_documents():
    words = {"a": 0, "b": 1}
    contexts = {"a": 0, "b": 1, "c": 2}
    counts = C.cooccurrences([["a", "b", "c"], ["c", "x", "a"]], words, contexts, window=1)
    # Doc 1: a-b, b-a, b-c. Doc 2: "a" is next to "x" only (no context), and "c" of doc 1
    # is not next to "c" of doc 2.
    assert counts.toarray().tolist() == [[0, 1, 0], [1, 0, 1]]
    wide = C.cooccurrences([["a", "b", "c"]], words, contexts, window=2)
    assert wide.toarray().tolist() == [[0, 1, 1], [1, 0, 1]]


def test_ppmi_is_positive_pmi_with_smoothed_context_probabilities():
    counts = sp.csr_matrix(np.array([[4.0, 1.0, 0.0], [1.0, 2.0, 6.0]]))
    got = C.ppmi(counts, power=0.75).toarray()
    total = counts.sum()
    p_word = counts.sum(axis=1).A.ravel() / total
    smoothed = counts.sum(axis=0).A.ravel() ** 0.75
    p_context = smoothed / smoothed.sum()
    for i, j in itertools.product(range(2), range(3)):
        n = counts[i, j]
        want = max(0.0, math.log(n / total / (p_word[i] * p_context[j]))) if n else 0.0
        assert got[i, j] == pytest.approx(want), (i, j)
    assert (got >= 0).all() and got[0, 0] > 0 and got[0, 1] == 0


def _toy_texts(seed: int) -> list[str]:
    """Two kinds of word in two kinds of frame: words of a kind share their neighbours."""
    rng = random.Random(seed)
    good, bad = ["superb", "splendid", "stellar"], ["dismal", "dreadful", "awful"]
    rows = []
    for _ in range(400):
        rows.append(f"the results were {rng.choice(good)} and cheered investors")
        rows.append(f"a {rng.choice(bad)} quarter that hurt shares badly")
    return rows


def test_learned_clusters_put_words_used_alike_together_and_repeat_exactly():
    found = C.learn_clusters(_toy_texts(0), ks=(2, 4), dimensions=4, min_count=5)
    assert found == C.learn_clusters(_toy_texts(0), ks=(2, 4), dimensions=4, min_count=5)
    coarse = {w: found[w][0] for w in ("superb", "splendid", "stellar", "dismal", "awful")}
    assert coarse["superb"] == coarse["splendid"] == coarse["stellar"]
    assert coarse["dismal"] == coarse["awful"] != coarse["superb"]
    # Only words: no punctuation or number is clustered.
    assert all(any(ch.isalpha() for ch in w) for w in found)
    assert all(len(levels) == 2 for levels in found.values())


def test_the_clusters_never_read_a_news_test_document():
    """The text of rule 17 is every Reuters body and PTC article outside the test split."""
    texts = list(C.unlabeled_news())
    docs = [*iter_reuters(), *iter_ptc()]
    kept = [d.text for d in docs if split_of(d.source) != "test"]
    assert texts == kept
    assert 0 < len(texts) < len(docs)
