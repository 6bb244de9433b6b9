"""Draw whole news articles for people to label with links and balance
(python -m training.article_pool draw OUT; ``written OUT FILES...`` for our own articles).

The sentence labels (``news.jsonl``) say whether each sentence is a claim or a hedge; they
cannot say whether caveat links a claim to the caveats that qualify it, or whether its
balance score reads an article as people do. For that, annotators read whole articles and
mark, per LABELING.md's "Links and balance": each sentence's labels, which hedge sentence
qualifies which claim sentence, and the article's balance label and score.

Articles come from test-split documents only (``news_pool.split_of``), so that the model
scored on them never trained on a sentence of theirs, with 5 to 30 sentences as the service
splits them (``Segmenter``). The first draw has two strata:

- ``claimed``: every such article with a claim among its sentences in ``news.jsonl``'s
  natural strata (chosen by earlier human labels, not by the model);
- ``uniform``: a seeded random draw of the others, ``--uniform`` per corpus, so that
  articles without claims are represented too.

The second draw (``--claim-rich N``, ``draw_claim_rich``), for more claims to link, is one:
``claim-rich``, the PTC articles the first left and N Reuters articles with at least
``CLAIM_RICH_MIN`` sentences that hold a stem of praise or certainty.

Each article is put in ``dev`` or ``test`` by a hash of its source (``part_of``): the
linking and balance rules were set by hand before this set existed, so both parts measure
them; any rule later tuned on these labels must be tuned on ``dev`` and reported on
``test``.

The pool holds third-party text, so it is written *outside* the project; only source,
offsets and labels are committed (``training/labels/articles.jsonl``, and a second,
independent pass of some articles in ``articles-second.jsonl``), by
``python -m training.article_pool import POOL RAW... --out FILE [--pass second] [--append]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from service.analysis.segment import Segmenter, default_segmenter_path
from service.analysis.types import BALANCE_LABELS, HEDGE_TYPES
from service.cli import (
    RECORD_ERRORS,
    add_write_mode,
    command,
    count,
    input_dir,
    input_file,
    output_dir,
    output_file,
    positive_int,
    record_problem,
    refuse_dropping,
    refuse_empty,
)
from training.datasets import (
    DEFAULT_DATA_ROOT,
    NATURAL_STRATA,
    NEWS_LABELS,
    Document,
    iter_ptc,
    iter_reuters,
    records_held,
    require_corpora,
)
from training.news_pool import _CLAIM_RICH, split_of

SEED = 20261127
#: Sentences an article may have, as the service splits it.
MIN_SENTENCES, MAX_SENTENCES = 5, 30
#: Sentences with a stem of praise or certainty a Reuters article of the second draw holds.
CLAIM_RICH_MIN = 3


def part_of(source: str) -> str:
    """``dev`` or ``test``, by a stable hash of the article's source id (half each)."""
    bucket = int(hashlib.sha256(f"article:{source}".encode()).hexdigest(), 16) % 2
    return "dev" if bucket else "test"


def claimed_sources(labels: Path = NEWS_LABELS) -> set[str]:
    """Sources of test documents with a claim among their natural-strata sentence labels."""
    out = set()
    with open(labels, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["split"] == "test" and r["stratum"] in NATURAL_STRATA and r["claim"]:
                out.add(r["source"])
    return out


def article_record(doc: Document, segmenter: Segmenter) -> dict:
    """An article as annotators read it: numbered sentences with their offsets."""
    spans = segmenter.split(doc.text)
    return {
        "source": doc.source,
        "sha1": hashlib.sha1(doc.text.encode("utf-8")).hexdigest(),
        "headline": getattr(doc, "title", "") or None,
        "sentences": [
            {
                "i": k,
                "start": s.start,
                "end": s.end,
                "paragraph": s.paragraph,
                "text": doc.text[s.start : s.end],
            }
            for k, s in enumerate(spans)
        ],
    }


def _test_articles(
    docs: Iterable[Document], segmenter: Segmenter, taken: set[str] = frozenset()
) -> Iterator[dict]:
    """``article_record`` of each test-split document not in ``taken`` that has
    ``MIN_SENTENCES`` to ``MAX_SENTENCES`` sentences, in ``docs`` order."""
    for doc in docs:
        if split_of(doc.source) != "test" or doc.source in taken:
            continue
        record = article_record(doc, segmenter)
        if MIN_SENTENCES <= len(record["sentences"]) <= MAX_SENTENCES:
            yield record


def _pool(chosen: list[tuple[str, dict]], rng: random.Random, first_id: int = 0) -> list[dict]:
    """Pool records of (stratum, record) pairs, with their ``part``, shuffled by ``rng`` and
    numbered ``a{first_id}`` on in that order."""
    pool = [
        {**record, "stratum": stratum, "part": part_of(record["source"])}
        for stratum, record in chosen
    ]
    rng.shuffle(pool)
    for k, record in enumerate(pool):
        record["article"] = f"a{first_id + k:03d}"
    return pool


def draw(
    docs: Iterable[Document], segmenter: Segmenter, claimed: set[str], uniform: int
) -> list[dict]:
    """The ``claimed`` articles and ``uniform`` others per corpus, each a record with
    ``stratum`` and ``part``, in a seeded shuffled order."""
    chosen: list[tuple[str, dict]] = []
    others: dict[str, list[dict]] = {}
    for record in _test_articles(docs, segmenter):
        if record["source"] in claimed:
            chosen.append(("claimed", record))
        else:
            others.setdefault(record["source"].partition(":")[0], []).append(record)
    rng = random.Random(SEED)
    for corpus in sorted(others):
        sample = rng.sample(others[corpus], min(uniform, len(others[corpus])))
        chosen += [("uniform", record) for record in sample]
    return _pool(chosen, rng)


def draw_claim_rich(
    docs: Iterable[Document], segmenter: Segmenter, taken: set[str], reuters: int, first_id: int
) -> list[dict]:
    """The second draw, for more claims to link: every PTC article in range not in ``taken``,
    and ``reuters`` Reuters articles, at random, of those with at least ``CLAIM_RICH_MIN``
    sentences holding a stem of praise or certainty (``news_pool._CLAIM_RICH``: a pattern,
    not the model). Stratum ``claim-rich``; ids from ``a{first_id}`` on."""
    ptc, rich = [], []
    for record in _test_articles(docs, segmenter, taken):
        if record["source"].startswith("semeval2020-ptc:"):
            ptc.append(record)
        elif sum(bool(_CLAIM_RICH.search(x["text"])) for x in record["sentences"]) >= (
            CLAIM_RICH_MIN
        ):
            rich.append(record)
    rng = random.Random(SEED + 1)
    chosen = ptc + rng.sample(rich, min(reuters, len(rich)))
    return _pool([("claim-rich", record) for record in chosen], rng, first_id)


#: Source prefix of the articles we wrote ourselves (``written_pool``).
WRITTEN_PREFIX = "written-article:"


def written_pool(files: Iterable[Path], segmenter: Segmenter) -> list[dict]:
    """Pool records of our own articles: writers' files of blocks, each a line ``=== wNNN``
    then the article (a headline line, a blank line, paragraphs between blank lines). Their
    text is ours, so the records keep it; part and stratum are ``written``: they are neither
    news nor test documents, and are scored apart."""
    pool = []
    for path in files:
        # A line "=== wNNN" opens each article: [before, name, text, name, text, ...].
        parts = re.split(r"(?m)^=== (\S+)[ \t]*\n", Path(path).read_text(encoding="utf-8"))
        for name, text in zip(parts[1::2], parts[2::2], strict=True):
            text = text.strip("\n") + "\n"
            doc = Document(source=WRITTEN_PREFIX + name.strip(), text=text)
            record = article_record(doc, segmenter)
            pool.append(
                {
                    **record,
                    "text": text,
                    "stratum": "written",
                    "part": "written",
                    "article": name.strip(),
                }
            )
    return pool


def readable(record: dict) -> str:
    """One article as plain text for an annotator: headline, then numbered sentences."""
    lines = [f"=== {record['article']} ({record['source']})"]
    if record["headline"]:
        lines.append(f"HEADLINE (context only, not labeled): {record['headline']}")
    paragraph = None
    for s in record["sentences"]:
        if paragraph is not None and s["paragraph"] != paragraph:
            lines.append("")
        paragraph = s["paragraph"]
        lines.append(f"[{s['i']}] {s['text']}")
    return "\n".join(lines) + "\n"


def convert(pool_row: dict, labels: dict, pass_name: str, annotator: str) -> dict:
    """One committed record from a pool article and an annotator's labels of it: offsets and
    labels, and no text but that of our own written articles. Anything inconsistent is an
    error, not something to guess."""
    name = pool_row["article"]
    if labels["article"] != name:
        raise ValueError(f"article mismatch {labels['article']} != {name}")
    given = labels["sentences"]
    if [s["i"] for s in given] != [s["i"] for s in pool_row["sentences"]]:
        raise ValueError(f"{name}: sentence indexes differ from the article's")
    sentences = []
    for s, pooled in zip(given, pool_row["sentences"], strict=True):
        claim, hedge = int(s["claim"]), int(s["hedge"])
        types = [t for t in HEDGE_TYPES if t in s.get("types", [])]
        if claim not in (0, 1) or hedge not in (0, 1) or bool(hedge) != bool(types):
            raise ValueError(f"{name}[{s['i']}]: claim={claim} hedge={hedge} types={types}")
        if len(types) != len(s.get("types", [])):
            raise ValueError(f"{name}[{s['i']}]: unknown type in {s['types']}")
        sentences.append(
            {
                "start": pooled["start"],
                "end": pooled["end"],
                "claim": claim,
                "hedge": hedge,
                "types": types,
            }
        )
    links = sorted({(int(c), int(h)) for c, h in labels["links"]})
    for c, h in links:
        if not (0 <= c < len(sentences) and 0 <= h < len(sentences)):
            raise ValueError(f"{name}: link {[c, h]} out of range")
        if not (sentences[c]["claim"] and sentences[h]["hedge"]):
            raise ValueError(f"{name}: link {[c, h]} does not join a claim to a hedge")
    label, score = labels["balance"]["label"], labels["balance"]["score"]
    has_claim = any(s["claim"] for s in sentences)
    if label not in BALANCE_LABELS or (label == "no-claims") == has_claim:
        raise ValueError(f"{name}: balance {label!r} with claims={has_claim}")
    if (score is None) != (label == "no-claims") or (
        score is not None and not 0.0 <= float(score) <= 1.0
    ):
        raise ValueError(f"{name}: score {score!r} for {label!r}")
    return {
        "id": name,
        "source": pool_row["source"],
        "sha1": pool_row["sha1"],
        "stratum": pool_row["stratum"],
        "part": pool_row["part"],
        "pass": pass_name,
        "annotator": annotator,
        "sentences": sentences,
        "links": [list(x) for x in links],
        "balance": {"label": label, "score": None if score is None else round(float(score), 2)},
        # Our own written articles keep their text (third-party text never has a "text" here).
        **({"text": pool_row["text"]} if WRITTEN_PREFIX in pool_row["source"] else {}),
    }


def import_labels(
    pool_file: Path,
    raw: list[Path],
    out: Path,
    pass_name: str,
    append: bool = False,
    replace: bool = False,
) -> int:
    """Write the committed records of annotators' files ``raw`` (named after their
    annotator) for the articles of ``pool_file``, in pool order; returns how many. With
    ``append`` the records already in ``out`` stay first, as they are; without it or
    ``replace``, an ``out`` that holds an article these files lack is left as it was."""
    pool = {}
    with open(pool_file, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            pool[row["article"]] = row
    records = []
    for path in raw:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    labels = json.loads(line)
                    records.append(convert(pool[labels["article"]], labels, pass_name, path.stem))
    order = list(pool)
    records.sort(key=lambda r: order.index(r["id"]))
    held = records_held(out)  # an --append may start a new file
    kept = held if append else []
    if len({r["id"] for r in kept + records}) != len(kept + records):
        raise ValueError("an article is labeled twice in one pass")
    refuse_empty(records, out, "labeled articles in the files given")
    if not (append or replace):
        refuse_dropping([r["id"] for r in records], out, [str(r.get("id")) for r in held])
    with open(out, "w", encoding="utf-8") as fh:
        for r in kept + records:
            fh.write(json.dumps(r, sort_keys=True) + "\n")
    return len(records)


@command
def main(argv: list[str] | None = None) -> None:
    """``draw OUT``: write the pool (pool.jsonl) and one readable text file per annotator's
    share; ``written OUT FILES...``: the same for our writers' articles (pool-written.jsonl).
    ``import POOL RAW... --out FILE``: write the committed labels of annotators' files (each
    named after its annotator)."""
    ap = argparse.ArgumentParser(
        prog="python -m training.article_pool", description=__doc__.splitlines()[0]
    )
    sub = ap.add_subparsers(dest="command", required=True, help="what to do (each has --help)")
    d = sub.add_parser("draw", help="write the pool and the annotators' shares into OUT")
    d.add_argument("out", type=output_dir, help="folder for the pool and shares (made if missing)")
    d.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    d.add_argument("--uniform", type=positive_int, default=12, help="uniform articles per corpus")
    d.add_argument("--chunks", type=positive_int, default=4, help="annotators' shares")
    d.add_argument(
        "--claim-rich",
        type=count,
        default=0,
        help="also the second draw (pool2.jsonl, articles2-N.txt): this many Reuters articles",
    )
    w = sub.add_parser("written", help="our writers' articles -> a pool and shares in OUT")
    w.add_argument("out", type=output_dir, help="folder for the pool and shares (made if missing)")
    w.add_argument("files", type=input_file, nargs="+", help="our writers' article files")
    w.add_argument("--chunks", type=positive_int, default=4, help="annotators' shares")
    i = sub.add_parser("import", help="turn annotators' files into committed labels")
    i.add_argument("pool", type=input_file, help="the pool the articles were drawn into (JSONL)")
    i.add_argument("raw", type=input_file, nargs="+", help="annotators' files, named after them")
    i.add_argument("--out", type=output_file, required=True, help="the labels file to write")
    i.add_argument(
        "--pass",
        dest="pass_name",
        default="first",
        choices=("first", "second"),
        help="which labeling pass these files are (default: first)",
    )
    add_write_mode(i)
    args = ap.parse_args(argv)
    if args.command == "import":
        try:
            n = import_labels(
                args.pool, args.raw, args.out, args.pass_name, args.append, args.replace
            )
        except RECORD_ERRORS as exc:
            raise SystemExit(f"error: {record_problem(exc)}") from None
        print(f"{n} articles -> {args.out}")
        return
    if args.command == "draw":
        require_corpora(args.data, "reuters21578", "semeval2020-ptc")
    segmenter = Segmenter.load(default_segmenter_path())
    if args.command == "written":
        args.out.mkdir(parents=True, exist_ok=True)
        _write(written_pool(args.files, segmenter), args.out, "-written", args.chunks)
        return
    docs = [*iter_ptc(args.data), *iter_reuters(args.data)]
    pool = draw(docs, segmenter, claimed_sources(), args.uniform)
    args.out.mkdir(parents=True, exist_ok=True)
    _write(pool, args.out, "", args.chunks)
    if args.claim_rich:
        taken = {r["source"] for r in pool}
        _write(
            draw_claim_rich(docs, segmenter, taken, args.claim_rich, len(pool)),
            args.out,
            "2",
            args.chunks,
        )


def _write(pool: list[dict], out: Path, suffix: str, chunks: int) -> None:
    """``pool{suffix}.jsonl`` and one readable ``articles{suffix}-N.txt`` per share."""
    with open(out / f"pool{suffix}.jsonl", "w", encoding="utf-8") as fh:
        for record in pool:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    for c in range(chunks):
        (out / f"articles{suffix}-{c + 1}.txt").write_text(
            "\n".join(readable(r) for r in pool[c::chunks]), encoding="utf-8"
        )
    strata = {s: sum(r["stratum"] == s for r in pool) for s in sorted({r["stratum"] for r in pool})}
    sentences = sum(len(r["sentences"]) for r in pool)
    print(f"{len(pool)} articles ({strata}), {sentences} sentences -> {out}")


if __name__ == "__main__":
    main()
