"""python -m training.import_article_cues FILES... : cue spans of written articles, checked.

The written articles (``training/labels/written-articles.jsonl``) carry sentence labels, not
cue spans, and the taggers learn from spans. Helpers who saw neither the model nor its output
marked the cues of each labeled sentence for its fixed labels (``training/labels/README.md``):
one JSON line per claim or hedge sentence, ``{"id": "w000-01", "cues": [{"text", "label",
"type"}]}`` (id: article, then the sentence's index in it). This turns their lines into
offsets into the article's text, the form ``news.jsonl`` keeps, and refuses any line that
breaks the labels: a cue text not in its sentence, a claim sentence without a claim cue, a
listed hedge type without a cue of that type, or a cue of a label or type the sentence does
not have.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from service.cli import (
    RECORD_ERRORS,
    command,
    input_file,
    output_file,
    record_problem,
    refuse_empty,
)
from training.datasets import (
    WRITTEN_ARTICLE_CUES,
    WRITTEN_ARTICLE_LABELS,
    article_sentence_id,
    iter_articles,
    write_jsonl,
)


def convert(marked: Iterable[dict], articles_path: Path = WRITTEN_ARTICLE_LABELS) -> list[dict]:
    """The records to write, in article and sentence order; raises ValueError on a bad line."""
    by_id = {row["id"]: row for row in marked}
    sentences = {}
    for article in iter_articles(articles_path):
        for k, (start, end, claim, hedge, types) in enumerate(article.sentences):
            key = article_sentence_id(article.id, k)
            sentences[key] = (article, k, start, end, claim, hedge, types)
    out = []
    for key in sorted(by_id):
        if key not in sentences:
            raise ValueError(f"{key}: no such sentence in {articles_path}")
        article, k, start, end, claim, hedge, types = sentences[key]
        text = article.text[start:end]
        cues = []
        for cue in by_id[key]["cues"]:
            label, kind = cue["label"], cue["type"]
            if label == "claim" and (not claim or kind is not None):
                raise ValueError(f"{key}: a claim cue where the sentence is no claim, or typed")
            if label == "hedge" and (not hedge or kind not in types):
                raise ValueError(f"{key}: a hedge cue of type {kind!r}, not one of {types}")
            if label not in ("claim", "hedge"):
                raise ValueError(f"{key}: unknown label {label!r}")
            at = text.find(cue["text"])
            if at < 0 or not cue["text"].strip():
                raise ValueError(f"{key}: cue {cue['text']!r} is not in the sentence")
            cues.append(
                {
                    "start": start + at,
                    "end": start + at + len(cue["text"]),
                    "label": label,
                    "type": kind,
                    "text": cue["text"],
                }
            )
        if claim and not any(c["label"] == "claim" for c in cues):
            raise ValueError(f"{key}: a claim sentence without a claim cue")
        missing = set(types if hedge else ()) - {c["type"] for c in cues}
        if missing:
            raise ValueError(f"{key}: no cue for hedge type(s) {sorted(missing)}")
        out.append({"id": key, "article": article.id, "sentence": k, "cues": cues})
    return out


@command
def main(argv: list[str] | None = None) -> None:
    """Command line: read the helpers' files, check them, write the cue file."""
    ap = argparse.ArgumentParser(
        prog="python -m training.import_article_cues", description=__doc__.splitlines()[0]
    )
    ap.add_argument("files", nargs="+", type=input_file, help="the helpers' JSON Lines files")
    ap.add_argument(
        "--out",
        type=output_file,
        default=WRITTEN_ARTICLE_CUES,
        help="the cue file to write (default: training/labels/written-articles-cues.jsonl)",
    )
    args = ap.parse_args(argv)
    marked = []
    for path in args.files:
        with open(path, encoding="utf-8") as fh:
            marked += [json.loads(line) for line in fh if line.strip()]
    refuse_empty(marked, args.out, "marked sentences in the files given")
    try:
        ids = [row["id"] for row in marked]
        twice = sorted(i for i, n in Counter(ids).items() if n > 1)
        if twice:
            raise SystemExit(f"error: sentence {twice[0]} is marked twice in the files given")
        records = convert(marked)
    except RECORD_ERRORS as exc:
        raise SystemExit(f"error: {record_problem(exc)}") from None
    write_jsonl(args.out, records)
    print(f"{len(records)} sentences, {sum(len(r['cues']) for r in records)} cues -> {args.out}")


if __name__ == "__main__":
    main()
