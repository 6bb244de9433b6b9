"""Word clusters learned from unlabeled news, for the sentence heads.

``docs/quality-history.md``, rule 17. Words used alike in news share a cluster, so
what the labels teach of one word reaches the others (word classes for a linear model
short of labels: Miller et al. 2004; Koo et al. 2008; Turian et al. 2010).

The recipe is fixed by the rule: the Reuters-21578 bodies and PTC articles outside the
news test split, no label read; words seen at least ``MIN_COUNT`` times (at most
``MAX_WORDS``), contexts the ``CONTEXTS`` most frequent tokens within ``WINDOW`` tokens
either side; positive PMI with context counts smoothed to the power ``CONTEXT_POWER``
(Levy, Goldberg and Dagan 2015), truncated SVD to ``DIMENSIONS``, rows scaled to unit
length, then k-means for each k of ``KS``. Deterministic: fixed seeds, sorted inputs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from service.analysis.features import tokens
from training.datasets import DEFAULT_DATA_ROOT, iter_ptc, iter_reuters
from training.news_pool import split_of

MIN_COUNT = 10
MAX_WORDS = 30_000
CONTEXTS = 5_000
WINDOW = 2
CONTEXT_POWER = 0.75
DIMENSIONS = 100
KS = (64, 512)
SEED = 0
#: The recipe, as the manifest records it.
PARAMS = {
    "text": "Reuters-21578 bodies and PTC articles outside the news test split",
    "min_count": MIN_COUNT,
    "max_words": MAX_WORDS,
    "contexts": CONTEXTS,
    "window": WINDOW,
    "context_power": CONTEXT_POWER,
    "dimensions": DIMENSIONS,
    "k": list(KS),
    "seed": SEED,
}

_LETTER = re.compile(r"[^\W\d_]")


def unlabeled_news(root: Path = DEFAULT_DATA_ROOT) -> Iterator[str]:
    """The texts the clusters are learned from: news documents outside the test split."""
    for docs in (iter_reuters(root), iter_ptc(root)):
        for doc in docs:
            if split_of(doc.source) != "test":
                yield doc.text


def _vocabulary(counts: Counter[str], size: int, keep=lambda t: True) -> dict[str, int]:
    """The ``size`` most frequent tokens that ``keep`` accepts (ties by spelling)."""
    ranked = sorted((t for t in counts if keep(t)), key=lambda t: (-counts[t], t))
    return {t: i for i, t in enumerate(ranked[:size])}


def cooccurrences(
    docs: list[list[str]], words: dict[str, int], contexts: dict[str, int], window: int
) -> sp.csr_matrix:
    """Counts of (word, context) pairs at most ``window`` tokens apart within a document."""
    rows, cols = [], []
    for toks in docs:
        w = np.fromiter((words.get(t, -1) for t in toks), dtype=np.int64, count=len(toks))
        c = np.fromiter((contexts.get(t, -1) for t in toks), dtype=np.int64, count=len(toks))
        for d in range(1, window + 1):
            for a, b in ((w[:-d], c[d:]), (w[d:], c[:-d])):
                both = (a >= 0) & (b >= 0)
                rows.append(a[both])
                cols.append(b[both])
    r, k = np.concatenate(rows), np.concatenate(cols)
    counts = sp.coo_matrix((np.ones(len(r)), (r, k)), shape=(len(words), len(contexts))).tocsr()
    counts.sum_duplicates()
    return counts


def ppmi(counts: sp.csr_matrix, power: float = CONTEXT_POWER) -> sp.csr_matrix:
    """Positive PMI of a count matrix, context probabilities smoothed to ``power``."""
    total = counts.sum()
    p_word = np.asarray(counts.sum(axis=1)).ravel() / total
    smoothed = np.asarray(counts.sum(axis=0)).ravel() ** power
    p_context = smoothed / smoothed.sum()
    coo = counts.tocoo()
    pmi = np.log(coo.data / total / (p_word[coo.row] * p_context[coo.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)


def learn_clusters(
    texts: Iterable[str],
    ks: tuple[int, ...] = KS,
    dimensions: int = DIMENSIONS,
    min_count: int = MIN_COUNT,
) -> dict[str, tuple[int, ...]]:
    """Map each word of the vocabulary to its cluster for each k of ``ks``, coarse to fine
    (the other settings are the rule's; these three let a test learn from a small text)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    docs = [tokens(text) for text in texts]
    counts: Counter[str] = Counter()
    for toks in docs:
        counts.update(toks)
    frequent = Counter({t: n for t, n in counts.items() if n >= min_count})
    words = _vocabulary(frequent, MAX_WORDS, keep=lambda t: _LETTER.search(t) is not None)
    contexts = _vocabulary(counts, CONTEXTS)
    matrix = ppmi(cooccurrences(docs, words, contexts, WINDOW))
    vectors = normalize(TruncatedSVD(dimensions, random_state=SEED).fit_transform(matrix))
    labels = [KMeans(k, random_state=SEED, n_init=1).fit_predict(vectors).tolist() for k in ks]
    return {w: tuple(int(lab[i]) for lab in labels) for w, i in words.items()}


def news_clusters(root: Path = DEFAULT_DATA_ROOT) -> dict[str, tuple[int, ...]]:
    """The clusters of rule 17, learned from ``root``'s unlabeled news."""
    return learn_clusters(unlabeled_news(root))
