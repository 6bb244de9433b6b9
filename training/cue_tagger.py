"""python -m training.cue_tagger: fit the token-level hedge cue tagger (service/analysis/tagger.py).

(The claim tagger, ``fit_claim_tagger``, is the same model fitted on the claim cue spans of our
news labels; ``training.train`` fits it, with settings chosen as ``CLAIM_PARAMS`` says.)

Training data: the hedge cue spans of Szeged Wikipedia + biomedical documents and of our news
labels, every split but "test" (``news_pool.split_of``); test documents are only scored.
Szeged marks uncertainty and condition cues only: a Szeged token that reads as another type
(limitation, contrast, attribution) and is not a gold cue is unknown to the tagger, not "no cue".

Chosen on Szeged Wikipedia dev documents (fitted on train-split documents): C 0.3, threshold
0.5, news rows weighted 4, bio rows 1, every feature kept (hashed into 2**19 columns: 0.775
cue-token F1 there, as with a full vocabulary), words seen inside a gold cue in >= 3% of their
occurrences as candidates (0.774, as 1% with 1.5x the candidates), two words of context each
side (one: about 0.02 lower). Without the biomedical documents: 0.709.

``python -m training.train`` fits the shipped tagger (all non-test documents) and the one
its hedge combiner is tuned with (train documents); this command fits one for experiments.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import joblib

from service.analysis.tagger import CueTagger
from service.cli import command, input_dir, input_file, output_file, require_records
from training.datasets import (
    DEFAULT_DATA_ROOT,
    NEWS_LABELS,
    OUR_CORPORA,
    SZEGED_FILES,
    WRITTEN_LABELS,
    LabeledSentence,
    iter_news,
    iter_szeged,
    iter_written,
    marked_types,
    require_corpora,
    row_weight,
)
from training.news_pool import split_of

PARAMS = {"C": 0.3, "threshold": 0.5, "min_count": 2, "min_ratio": 0.03, "context": 2}
#: The claim tagger's. Chosen out of fold on news train + dev (5 document folds, as training;
#: the claim head's score and the tagger's best token, with a term for sentences without a
#: candidate, combined by logistic regression fitted on the other folds), by average
#: precision on the rows drawn like the test split (the head alone: 0.489):
#:   min_ratio 0.03: C 0.3 0.547, C 1 0.553, C 3 0.556, C 10 0.557 (43 candidate words in
#:   a 400-word article); min_ratio 0.05: C 1 0.554, C 3 0.555, C 10 0.556 (17 candidates).
#: All within 0.01 of each other; the cheaper candidate set, and the middle C.
#: The articles are never candidates by their counts: written claim cues are whole phrases
#: ("a historic accord", "the strongest quarter in its history"), so "a" fell inside enough
#: gold cues (min_ratio) to become a candidate. Beside a booster the lexicon reads as
#: negated (so no candidate itself), it carried the booster's context: "This is not a
#: historic moment" read as a claim.
CLAIM_PARAMS = {**PARAMS, "C": 3.0, "min_ratio": 0.05, "not_candidates": ("a", "an", "the")}


def gold_spans(sentence: LabeledSentence) -> list[tuple[int, int, str]]:
    """The hedge cue spans (start, end, type) of a sentence."""
    return [(a, b, t or "uncertainty") for a, b, label, t in sentence.cues if label == "hedge"]


def claim_spans(sentence: LabeledSentence) -> list[tuple[int, int, str]]:
    """The claim cue spans (start, end, "claim") of a sentence: the words that boost it."""
    return [(a, b, "claim") for a, b, label, _ in sentence.cues if label == "claim"]


def training_rows(
    root: Path = DEFAULT_DATA_ROOT, labels: Path = NEWS_LABELS, splits=("train", "dev")
) -> list[LabeledSentence]:
    """Szeged Wikipedia + biomedical and news sentences of documents in ``splits``, and our
    written sentences when ``splits`` holds "train" (they are training rows only)."""
    rows = [s for s, record in iter_news(labels, root) if record["split"] in splits]
    for part in SZEGED_FILES:
        rows += [s for s in iter_szeged(part, root) if split_of(s.doc) in splits]
    if "train" in splits:
        rows += list(iter_written(WRITTEN_LABELS))
    return rows


def fit_tagger(rows: Sequence[LabeledSentence], **params) -> CueTagger:
    """Fit a CueTagger on ``rows`` (PARAMS unless overridden)."""
    known = [marked_types(s.corpus) for s in rows]
    weights = [row_weight(s) for s in rows]
    return CueTagger(**{**PARAMS, **params}).fit(
        [s.text for s in rows], [gold_spans(s) for s in rows], known, weights
    )


def fit_claim_tagger(rows: Sequence[LabeledSentence], **params) -> CueTagger:
    """Fit a claim CueTagger (``target="claim"``, CLAIM_PARAMS unless overridden) on the news
    and written rows of ``rows``: only our labels mark claim cues."""
    news = [s for s in rows if s.corpus in OUR_CORPORA]
    return CueTagger(**{**CLAIM_PARAMS, **params, "target": "claim"}).fit(
        [s.text for s in news], [claim_spans(s) for s in news]
    )


@command
def main(argv: list[str] | None = None) -> None:
    """Command line: fit on every non-test document and write the tagger with joblib."""
    ap = argparse.ArgumentParser(
        prog="python -m training.cue_tagger", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    ap.add_argument(
        "--labels", type=input_file, default=NEWS_LABELS, help="our news labels (JSONL)"
    )
    ap.add_argument("--out", type=output_file, required=True, help="the .joblib file to write")
    args = ap.parse_args(argv)
    require_records(args.labels)
    require_corpora(args.data, "reuters21578", "semeval2020-ptc", "szeged-uncertainty")
    tagger = fit_tagger(training_rows(args.data, args.labels))
    joblib.dump(tagger, args.out, compress=3)
    info = {"candidates": len(tagger.candidates_)}
    print(json.dumps({"out": str(args.out), **PARAMS, **info}))


if __name__ == "__main__":
    main()
