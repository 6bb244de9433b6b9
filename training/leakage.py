"""python -m training.leakage: test sentences that training has seen in another document.

The splits are by document, and nothing in training reads a test document (an audit of
the code found no channel). But the corpora repeat themselves across documents:

- **News test**: PTC articles republished on other sites, site boilerplate ("You may opt
  out at anytime.") and Reuters resends put some test sentences, word for word, in the
  labeled train + dev rows the model is fitted on. A twin here is a test sentence whose
  text, or whose words (lower case, punctuation dropped), equal a trained row's.
- **Szeged Wikipedia**: its documents are numbered excerpts of articles ("Socialized
  medicine_2208", "_2209"). Up to model 1.10.0 the split went by excerpt, and 73 test
  articles had excerpts in training; since 1.11.0 it goes by article
  (``training.datasets.szeged_article``), and the audit counts the articles on both sides
  (none, unless that breaks) and the test sentences with a twin among the trained
  Wikipedia rows, as for news.

For each, the committed model's test F1 with and without those sentences, at the shipped
thresholds (news) and at the corpus's own reading, combiner and threshold
(``docs/evaluation.json``, as ``python -m training.evaluate --report`` wrote it):
how much of each reported figure could rest on what training saw.

    python -m training.leakage [--out leakage.json]
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from service.analysis.heads import CueCombiner
from service.analysis.model import load_model
from service.cli import command, input_dir, input_file, output_file
from training.datasets import (
    ARTICLE_LABELS,
    DEFAULT_DATA_ROOT,
    iter_articles,
    iter_news,
    iter_szeged,
    require_corpora,
    szeged_article,
)
from training.domain import in_domain
from training.metrics import label_metrics
from training.news_pool import split_of
from training.report import Caveat

ROOT = Path(__file__).resolve().parents[1]
#: The report whose Szeged Wikipedia reading, combiner and threshold are scored here.
EVALUATION = ROOT / "docs" / "evaluation.json"

_WORDS = re.compile(r"[^\W_]+")


def words_of(text: str) -> str:
    """The text's words, lower case, one space apart: punctuation and quotes dropped."""
    return " ".join(_WORDS.findall(text.lower()))


def twins(test: Sequence[str], seen: Iterable[str]) -> list[bool]:
    """For each test text, whether a seen text equals it, or equals it word for word."""
    exact, loose = set(), set()
    for text in seen:
        exact.add(text)
        loose.add(words_of(text))
    return [t in exact or words_of(t) in loose for t in test]


def f1_with_and_without(y: np.ndarray, p: np.ndarray, threshold: float, out: np.ndarray) -> dict:
    """F1 (and counts) on all rows, and on the rows ``out`` does not mark."""
    keep = ~out
    return {
        "all": round(label_metrics(y, p, threshold)["f1"], 4),
        "without": round(label_metrics(y[keep], p[keep], threshold)["f1"], 4),
        "left_out": int(out.sum()),
        "left_out_positives": int(y[out].sum()),
    }


def news_leakage(root: Path, model) -> dict:
    """News test sentences with a twin among the trained train + dev rows, and test F1; and
    how many sentences of the labeled whole articles (test-split documents) have one."""
    rows = list(iter_news(root=root))  # the labels and the corpora, read once for both sides
    trained = [s.text for s, record in rows if record["split"] != "test"]
    test = [s for s, record in rows if record["split"] == "test"]
    texts = [s.text for s in test]
    article_sentences = [
        a.text[start:end]
        for a in iter_articles(ARTICLE_LABELS, root)
        for start, end, *_ in a.sentences
    ]
    # One pass over the trained rows for both: the test sentences, then the articles'.
    found = twins(texts + article_sentences, trained)
    twin = np.array(found[: len(texts)])
    proba = Caveat(model=model).predict_proba(texts)
    out = {
        "sentences": len(test),
        "twins": int(twin.sum()),
        "article_sentences": len(article_sentences),
        "article_twins": sum(found[len(texts) :]),
    }
    for j, label in enumerate(("claim", "hedge")):
        y = np.array([getattr(s, label) for s in test])
        out[label] = f1_with_and_without(y, proba[:, j], model.thresholds[label], twin)
    return out


def szeged_wiki_leakage(root: Path, model, evaluation: dict) -> dict:
    """Szeged Wikipedia test sentences with a twin among the trained Wikipedia rows, the
    articles on both sides of the split, and hedge F1 as served and read as that corpus."""
    rows = list(iter_szeged("wiki", root))
    test = [s for s in rows if split_of(s.doc) == "test"]
    trained = [s for s in rows if split_of(s.doc) != "test"]
    # Read as articles whatever the documents are, so that a split by excerpt would show.
    articles = {szeged_article(s.doc) for s in test}
    texts = [s.text for s in test]
    twin = np.array(twins(texts, [s.text for s in trained]))
    y = np.array([s.hedge for s in test])
    setting = evaluation["domain_thresholds"]["szeged-wiki-test"]
    combiner = CueCombiner(**setting["combiner"])
    threshold = setting["out_of_fold_combiner"]["threshold"]
    read = in_domain(model, "szeged-wiki", combiner)
    served = Caveat(model=model).predict_proba(texts)[:, 1]
    as_corpus = Caveat(model=read).predict_proba(texts)[:, 1]
    return {
        "sentences": len(test),
        "articles": len(articles),
        "straddling_articles": len(articles & {szeged_article(s.doc) for s in trained}),
        "twins": int(twin.sum()),
        "hedge_as_served": f1_with_and_without(y, served, model.thresholds["hedge"], twin),
        "hedge_read_as_corpus": f1_with_and_without(y, as_corpus, threshold, twin),
    }


def _row(name: str, scores: dict) -> str:
    return (
        f"| {name} | {scores['all']:.3f} | {scores['without']:.3f} | "
        f"{scores['left_out']} ({scores['left_out_positives']} positive) |"
    )


@command
def main(argv: list[str] | None = None) -> None:
    """Print the twins and straddling articles, with test F1 with and without the twins."""
    ap = argparse.ArgumentParser(
        prog="python -m training.leakage", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="corpora root")
    ap.add_argument("--evaluation", type=input_file, default=EVALUATION, help="the report JSON")
    ap.add_argument("--out", type=output_file, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    require_corpora(args.data, "reuters21578", "semeval2020-ptc", "szeged-uncertainty")
    evaluation = json.loads(args.evaluation.read_text(encoding="utf-8"))
    model = load_model()
    news = news_leakage(args.data, model)
    wiki = szeged_wiki_leakage(args.data, model, evaluation)
    print(
        f"news test: {news['sentences']} sentences, {news['twins']} with a twin among the "
        "trained train + dev rows (equal, or equal word for word); the labeled whole "
        f"articles: {news['article_sentences']} sentences, {news['article_twins']} with one"
    )
    print(
        f"Szeged Wikipedia test: {wiki['sentences']} sentences of {wiki['articles']} articles,"
        f" {wiki['straddling_articles']} of which have excerpts outside the test split;"
        f" {wiki['twins']} sentences with a twin among the trained Wikipedia rows\n"
    )
    print("| set, label | F1, all | F1, without them | left out |")
    print("|---|---|---|---|")
    print(_row("news test, claim (without twins)", news["claim"]))
    print(_row("news test, hedge (without twins)", news["hedge"]))
    print(_row("Szeged Wikipedia, hedge as served (without twins)", wiki["hedge_as_served"]))
    print(
        _row(
            "Szeged Wikipedia, hedge read as the corpus (without twins)",
            wiki["hedge_read_as_corpus"],
        )
    )
    if args.out:
        args.out.write_text(json.dumps({"news": news, "szeged_wiki": wiki}, indent=1) + "\n")


if __name__ == "__main__":
    main()
