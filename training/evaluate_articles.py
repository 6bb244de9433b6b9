"""Links and balance against people's reading of whole articles
(python -m training.evaluate_articles).

Scores caveat's article-level output against ``training/labels/articles.jsonl``
(``training.article_pool``: test-split news articles, each labeled whole: its sentences,
which hedge sentence qualifies which claim sentence, the balance label and score), in
several views, each read the same way:

- ``caveat``: the service as it is, ``analyze()`` on the article's text;
- ``caveat links, gold flags``: the claims and hedges people flagged, linked by caveat's
  rules (``linking.link``) and scored by its formula (``balance.score``, every claim of
  weight 1); the cues linking reads are the lexicon's (``cues.find_cues``), as there is no
  tagger reading of a sentence the model did not flag. This isolates the linking rules;
- ``gold links, gold flags``: people's own links, at full strength, through caveat's
  formula and labels: what the formula and its label cut-offs make of a perfect linking;
- baselines on gold flags: every hedge in the claim's sentence or the next one
  (``adjacent``), and every hedge within three sentences (``within 3``);
- ``second annotator``: a second, independent pass over some articles
  (``articles-second.jsonl``), scored against the first pass on those articles: the
  ceiling a system can be expected to reach.

Measures: sentence claim and hedge F1 over every sentence of the articles; links as pairs
(claim sentence, hedge sentence), precision, recall and F1, over all articles and, beside
it, over the claims both sides flag (linking alone, whatever the flags); the balance label
(accuracy and Cohen's kappa over the four labels), and the score (Spearman's rho and mean
absolute error over the articles both sides give a score).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from service.analysis import balance as balance_mod
from service.analysis.analyzer import Analyzer, reported_cues
from service.analysis.cues import find_cues
from service.analysis.linking import link, link_input
from service.analysis.model import MODELS_DIR, load_model
from service.analysis.types import BALANCE_LABELS, Link
from service.cli import (
    LabelFileError,
    command,
    input_dir,
    input_file,
    output_file,
    require_records,
)
from training.agreement import cohen_kappa
from training.datasets import (
    ARTICLE_LABELS,
    ARTICLE_LABELS_SECOND,
    DEFAULT_DATA_ROOT,
    NEWS_LABELS,
    WRITTEN_ARTICLE_LABELS,
    LabeledArticle,
    iter_articles,
    news_records,
    read_jsonl,
    require_corpora,
)
from training.metrics import (
    BOOTSTRAP_DRAWS,
    percentile_interval,
    prf,
    resample_weights,
    resampled_f1_of_counts,
)


@dataclass(frozen=True)
class View:
    """One reading of an article: per sentence (claim, hedge) flags, claim -> hedge links
    (sentence indexes), the balance label and score."""

    flags: tuple[tuple[int, int], ...]
    links: frozenset[tuple[int, int]]
    label: str
    score: float | None


def gold_view(article: LabeledArticle) -> View:
    """People's reading of the article."""
    return View(
        tuple((c, h) for _, _, c, h, _ in article.sentences),
        article.links,
        article.label,
        article.score,
    )


def caveat_view(analyzer: Analyzer, article: LabeledArticle) -> View:
    """The service's reading: ``analyze()`` of the whole text, sentences matched by offsets."""
    result = analyzer.analyze(article.text)
    at = {(s, e): k for k, (s, e, *_) in enumerate(article.sentences)}
    index = {}
    flags = [(0, 0)] * len(article.sentences)
    for sentence in result.sentences:
        k = at.get((sentence.start, sentence.end))
        if k is None:
            raise ValueError(f"{article.id}: sentence {sentence.start}-{sentence.end} not labeled")
        index[sentence.index] = k
        flags[k] = (int(sentence.claim.flagged), int(sentence.hedge.flagged))
    if len(index) != len(article.sentences):
        raise ValueError(f"{article.id}: the service split the article otherwise")
    links = frozenset((index[x.claim], index[x.hedge]) for x in result.links)
    return View(tuple(flags), links, result.balance.label, result.balance.score)


def _formula(claims: Iterable[int], links: Sequence[Link]) -> tuple[str, float | None]:
    """caveat's balance label and score of claims of weight 1 under ``links``."""
    value = balance_mod.score(dict.fromkeys(claims, 1.0), links)
    return balance_mod.label_for(value), value


def linked_view(article: LabeledArticle, paragraphs: Sequence[int]) -> View:
    """People's flags, linked by caveat's rules with the lexicon's cues (``paragraphs``: each
    sentence's paragraph, as the segmenter numbers them)."""
    inputs = []
    for k, (start, end, claim, hedge, types) in enumerate(article.sentences):
        if claim or hedge:
            text = article.text[start:end]
            found = find_cues(text)
            shown = reported_cues(found, bool(claim), list(types))
            inputs.append(
                link_input(k, k, paragraphs[k], text, bool(claim), bool(hedge), shown, found)
            )
    links = link(inputs, paragraphs=len(set(paragraphs)))
    label, value = _formula(_claims(article), links)
    return View(
        gold_view(article).flags, frozenset((x.claim, x.hedge) for x in links), label, value
    )


def gold_links_view(article: LabeledArticle, paragraphs: Sequence[int] = ()) -> View:
    """People's flags and links, through caveat's formula (each link at strength 1)."""
    links = [Link(c, h, 1.0) for c, h in sorted(article.links)]
    label, value = _formula(_claims(article), links)
    return View(gold_view(article).flags, article.links, label, value)


def window_view(after: int, before: int) -> Callable[[LabeledArticle, Sequence[int]], View]:
    """Baseline on people's flags: each claim links every hedge in its own sentence, in the
    ``after`` sentences after it and the ``before`` sentences before it, at full strength."""

    def view(article: LabeledArticle, paragraphs: Sequence[int] = ()) -> View:
        claims, hedges = _claims(article), _hedges(article)
        pairs = {(c, h) for c in claims for h in hedges if -before <= h - c <= after}
        label, value = _formula(claims, [Link(c, h, 1.0) for c, h in sorted(pairs)])
        return View(gold_view(article).flags, frozenset(pairs), label, value)

    return view


def paragraphs_of(analyzer: Analyzer, article: LabeledArticle) -> list[int]:
    """Each labeled sentence's paragraph, as the model's segmenter numbers them."""
    at = {(x.start, x.end): x.paragraph for x in analyzer.model.segmenter.split(article.text)}
    return [at[(start, end)] for start, end, *_ in article.sentences]


def _claims(article: LabeledArticle) -> list[int]:
    return [k for k, s in enumerate(article.sentences) if s[2]]


def _hedges(article: LabeledArticle) -> list[int]:
    return [k for k, s in enumerate(article.sentences) if s[3]]


def _prf(tp: int, fp: int, fn: int) -> dict:
    p, r, f = prf(tp, fp, fn)
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def compare(reference: Sequence[View], system: Sequence[View]) -> dict:
    """Every measure of ``system`` against ``reference``, article by article."""
    out: dict = {"articles": len(reference)}
    for j, name in enumerate(("claim", "hedge")):
        tp = fp = fn = 0
        for r, s in zip(reference, system, strict=True):
            for x, y in zip(r.flags, s.flags, strict=True):
                tp += x[j] and y[j]
                fp += y[j] and not x[j]
                fn += x[j] and not y[j]
        out[name] = _prf(tp, fp, fn)
    tp = fp = fn = 0
    both_tp = both_fp = both_fn = 0
    for r, s in zip(reference, system, strict=True):
        tp += len(r.links & s.links)
        fp += len(s.links - r.links)
        fn += len(r.links - s.links)
        common = {k for k, (x, y) in enumerate(zip(r.flags, s.flags, strict=True)) if x[0] and y[0]}
        rl = {x for x in r.links if x[0] in common and s.flags[x[1]][1]}
        sl = {x for x in s.links if x[0] in common and r.flags[x[1]][1]}
        both_tp += len(rl & sl)
        both_fp += len(sl - rl)
        both_fn += len(rl - sl)
    out["links"] = _prf(tp, fp, fn)
    out["links, claims and hedges both flag"] = _prf(both_tp, both_fp, both_fn)
    ref_labels = [r.label for r in reference]
    sys_labels = [s.label for s in system]
    out["balance label"] = {
        "accuracy": round(
            float(np.mean([a == b for a, b in zip(ref_labels, sys_labels, strict=True)])), 3
        ),
        "kappa": round(cohen_kappa(ref_labels, sys_labels), 3),
        "confusion": {
            a: {
                b: sum(x == a and y == b for x, y in zip(ref_labels, sys_labels, strict=True))
                for b in BALANCE_LABELS
            }
            for a in BALANCE_LABELS
        },
    }
    pairs = [
        (r.score, s.score)
        for r, s in zip(reference, system, strict=True)
        if r.score is not None and s.score is not None
    ]
    score: dict = {"articles": len(pairs)}
    if len(pairs) >= 3:
        x, y = np.array(pairs).T
        rho = spearmanr(x, y).statistic
        score["spearman"] = None if np.isnan(rho) else round(float(rho), 3)
        score["mae"] = round(float(np.mean(np.abs(x - y))), 3)
    out["balance score"] = score
    return out


#: The views given 95% intervals, and the pair whose difference gets one (paired).
INTERVAL_VIEWS = (
    "caveat",
    "caveat links, gold flags",
    "baseline: same or next sentence, gold flags",
)
PAIRED = ("caveat links, gold flags", "baseline: same or next sentence, gold flags")
INTERVAL_METHOD = (
    f"Percentile bootstrap over articles: {BOOTSTRAP_DRAWS:,} resamples of the part's "
    "articles with replacement (training.metrics.resample_weights, seed 0); link F1 from each "
    "resample's "
    "pooled link counts, label accuracy and score MAE as means over its articles (MAE over "
    "those both sides score); the difference is paired, both views read on the same resamples."
)


def intervals(reference: Sequence[View], views: dict[str, Sequence[View]]) -> dict:
    """95% intervals of link F1, balance label accuracy and score MAE of ``INTERVAL_VIEWS``
    against ``reference``, article by article resampled, and of the ``PAIRED`` difference."""
    weights = resample_weights(len(reference))
    per_view = {}
    for name in INTERVAL_VIEWS:
        system = views[name]
        counts = np.array(
            [
                (len(r.links & s.links), len(s.links - r.links), len(r.links - s.links))
                for r, s in zip(reference, system, strict=True)
            ]
        ).T
        right = np.array([r.label == s.label for r, s in zip(reference, system, strict=True)])
        scored = np.array(
            [
                r.score is not None and s.score is not None
                for r, s in zip(reference, system, strict=True)
            ]
        )
        error = np.array(
            [
                abs(r.score - s.score) if ok else 0.0
                for r, s, ok in zip(reference, system, scored, strict=True)
            ]
        )
        per_view[name] = {
            "links f1": resampled_f1_of_counts(weights, counts),
            "label accuracy": weights @ right / weights.sum(axis=1),
            "score mae": weights @ error / np.maximum(weights @ scored, 1),
        }
    out: dict = {
        name: {k: percentile_interval(v) for k, v in values.items()}
        for name, values in per_view.items()
    }
    a, b = (per_view[name] for name in PAIRED)
    out[f"{PAIRED[0]} minus {PAIRED[1]}"] = {k: percentile_interval(a[k] - b[k]) for k in a}
    return out


def news_agreement(articles: Sequence[LabeledArticle], news: Path = NEWS_LABELS) -> dict:
    """Cohen's kappa of the articles' sentence labels against the sentence labels of
    ``news.jsonl`` (other annotators, earlier), on the sentences both hold with the same
    offsets."""
    earlier = {(r["source"], r["start"], r["end"]): r for _, r in news_records(news)}
    pairs = [
        ((claim, hedge), (r["claim"], r["hedge"]))
        for a in articles
        for start, end, claim, hedge, _ in a.sentences
        if (r := earlier.get((a.source, start, end))) is not None
    ]
    out: dict = {"sentences": len(pairs)}
    if pairs:
        for j, name in enumerate(("claim", "hedge")):
            out[name] = round(cohen_kappa([x[j] for x, _ in pairs], [y[j] for _, y in pairs]), 3)
    return out


#: The views scored against the first pass, in report order.
VIEWS: dict[str, Callable[[LabeledArticle, Sequence[int]], View]] = {
    "caveat links, gold flags": linked_view,
    "gold links, gold flags": gold_links_view,
    "baseline: same or next sentence, gold flags": window_view(after=1, before=0),
    "baseline: within 3 sentences, gold flags": window_view(after=3, before=3),
}


def _second_pass(
    second: Path | None, articles: Sequence[LabeledArticle], root: Path
) -> list[LabeledArticle]:
    """The articles of the second pass ``second`` that the first pass holds. One of a part the
    first pass holds must be in it (as ``training.agreement`` refuses unmatched records); one
    of a part left out (a labels file of dev articles only, say) is skipped."""
    if second is None or not Path(second).exists():
        return []
    again = list(iter_articles(second, root))
    ids, held = {a.id for a in articles}, {a.part for a in articles}
    unmatched = [a.id for a in again if a.part in held and a.id not in ids]
    if unmatched:
        line = next(n for n, row in read_jsonl(second) if row.get("id") == unmatched[0])
        raise LabelFileError(
            f"{second}:{line}: {len(unmatched)} of its articles are not in the first pass "
            f"(the first: {unmatched[0]}); compare two passes over the same articles"
        )
    return [a for a in again if a.id in ids]


def evaluate(
    labels: Path = ARTICLE_LABELS,
    second: Path | None = ARTICLE_LABELS_SECOND,
    models: Path = MODELS_DIR,
    root: Path = DEFAULT_DATA_ROOT,
    written: Path | None = WRITTEN_ARTICLE_LABELS,
) -> dict:
    """The report: per part (all news articles, dev, test; our written articles apart) each
    view's measures; then each second pass against its first."""
    news = list(iter_articles(labels, root))
    ours = list(iter_articles(written, root)) if written is not None and written.exists() else []
    articles = news + ours
    again = _second_pass(second, articles, root)  # read and checked before the long work
    analyzer = Analyzer(load_model(models))
    views = {"caveat": [caveat_view(analyzer, a) for a in articles]}
    paragraphs = [paragraphs_of(analyzer, a) for a in articles]
    views.update(
        {
            name: [make(a, p) for a, p in zip(articles, paragraphs, strict=True)]
            for name, make in VIEWS.items()
        }
    )
    gold = [gold_view(a) for a in articles]
    report: dict = {
        "model": analyzer.model.info.version,
        "labels": str(labels.name),
        "parts": {},
    }
    parts = {
        "all": list(range(len(news))),
        "dev": [k for k, a in enumerate(news) if a.part == "dev"],
        "test": [k for k, a in enumerate(news) if a.part == "test"],
    }
    if ours:
        parts["written"] = list(range(len(news), len(articles)))
    # A labels file of one part only (dev, say): no scores over no articles.
    parts = {part: keep for part, keep in parts.items() if keep}
    for part, keep in parts.items():
        report["parts"][part] = {
            name: compare([gold[k] for k in keep], [v[k] for k in keep])
            for name, v in views.items()
        }
    report["intervals"] = {
        "method": INTERVAL_METHOD,
        "parts": {
            part: intervals(
                [gold[k] for k in keep], {n: [v[k] for k in keep] for n, v in views.items()}
            )
            for part, keep in parts.items()
        },
    }
    report["sentences also in news.jsonl"] = news_agreement(news)
    first_of = {a.id: k for k, a in enumerate(articles)}
    if again:
        for name, mine in (("second annotator", False), ("second annotator, written", True)):
            pairs = [(first_of[a.id], a) for a in again if (a.part == "written") == mine]
            if not pairs:
                continue
            ks = [k for k, _ in pairs]
            report[name] = compare([gold[k] for k in ks], [gold_view(a) for _, a in pairs])
            report[name]["caveat on the same articles"] = compare(
                [gold[k] for k in ks], [views["caveat"][k] for k in ks]
            )
    return report


def table(report: dict, part: str = "all") -> str:
    """A readable table of one part's views (and the second annotator, for "all")."""
    rows = list(report["parts"][part].items())
    second = {"all": "second annotator", "written": "second annotator, written"}.get(part)
    if second in report:
        rows.append(("second annotator (its articles)", report[second]))
        rows.append(("caveat (the same articles)", report[second]["caveat on the same articles"]))
    head = (
        "| view | articles | claim F1 | hedge F1 | link P | link R | link F1 | "
        "link F1, both flag | label acc | label kappa | score rho | score MAE |"
    )
    lines = [head, "|" + "---|" * 12]
    for name, m in rows:
        s = m["balance score"]
        lines.append(
            f"| {name} | {m['articles']} | {m['claim']['f1']:.3f} | {m['hedge']['f1']:.3f} | "
            f"{m['links']['precision']:.3f} | {m['links']['recall']:.3f} | "
            f"{m['links']['f1']:.3f} | {m['links, claims and hedges both flag']['f1']:.3f} | "
            f"{m['balance label']['accuracy']:.3f} | {m['balance label']['kappa']:.3f} | "
            f"{s.get('spearman', '-')} | {s.get('mae', '-')} |"
        )
    return "\n".join(lines)


def interval_table(report: dict, part: str = "all") -> str:
    """The 95% intervals of one part (``intervals``), as a readable table."""
    rows = report["intervals"]["parts"][part]
    lines = [
        "| view | link F1, 95% interval | label accuracy, 95% interval | score MAE, 95% interval |",
        "|---|---|---|---|",
    ]
    for name, m in rows.items():
        cells = [
            f"{m[k][0]:.3f} to {m[k][1]:.3f}" for k in ("links f1", "label accuracy", "score mae")
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


@command
def main(argv: list[str] | None = None) -> None:
    """Print the table of every part; ``--out`` also writes the JSON report."""
    ap = argparse.ArgumentParser(
        prog="python -m training.evaluate_articles", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--labels",
        type=input_file,
        default=ARTICLE_LABELS,
        help="the labeled news articles, first pass (default: training/labels/articles.jsonl)",
    )
    ap.add_argument(
        "--second",
        type=input_file,
        default=ARTICLE_LABELS_SECOND,
        help="the second, independent pass over some of them, scored as the second "
        "annotator (default: training/labels/articles-second.jsonl)",
    )
    ap.add_argument(
        "--written",
        type=input_file,
        default=WRITTEN_ARTICLE_LABELS,
        help="our written articles, scored as a part of their own "
        "(default: training/labels/written-articles.jsonl)",
    )
    ap.add_argument(
        "--models", type=input_dir, default=MODELS_DIR, help="the models folder (default: ours)"
    )
    ap.add_argument(
        "--data",
        type=input_dir,
        default=DEFAULT_DATA_ROOT,
        help="the corpora folder, where the news articles' text is read (Reuters, PTC)",
    )
    ap.add_argument("--out", type=output_file, help="write the JSON report here")
    args = ap.parse_args(argv)
    require_records(args.labels)
    require_corpora(args.data, "reuters21578", "semeval2020-ptc")
    report = evaluate(args.labels, args.second, args.models, args.data, args.written)
    for part in report["parts"]:
        print(f"\n{part} articles:\n{table(report, part)}\n\n{interval_table(report, part)}")
    overlap = report["sentences also in news.jsonl"]
    print(
        f"\nsentence labels against news.jsonl's on the {overlap['sentences']} sentences both "
        f"hold: kappa claim {overlap.get('claim')}, hedge {overlap.get('hedge')}"
    )
    if args.out:
        args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
