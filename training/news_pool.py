"""Draw the pool of news sentences that people label (python -m training.news_pool OUT).

The pool is reproducible (fixed seed) and is written *outside* the project:
it holds third-party text, and only source + offsets + labels are committed
(``training/labels/news.jsonl``).

Sampling: half of each corpus's draw is uniform over sentences, half over
sentences that contain a broad booster or hedge stem (``_CUE_RICH``). Plain
uniform sampling of newswire yields too few claims to learn from (a few per
hundred); the uniform half keeps the real distribution represented. Every
record says which stratum it came from, so an evaluation can weight it back.

Documents, not sentences, are split into train/dev/test (by a hash of the
source id), so that no article contributes to both training and test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from service.cli import command, count, input_dir, output_dir, positive_int
from training.datasets import (
    DEFAULT_DATA_ROOT,
    iter_ptc,
    iter_reuters,
    nltk_english_punkt,
    require_corpora,
)

SEED = 20261126
# Broad stems for the "cue-rich" stratum: deliberately wider than any lexicon
# the model uses, so the labels are not just the lexicon read back.
_CUE_RICH = re.compile(
    r"\b(may|might|could|would|possibl\w*|probabl\w*|likely|unlikely|appear\w*|seem\w*|"
    r"suggest\w*|expect\w*|believ\w*|if|unless|depend\w*|subject to|provided|however|but|"
    r"although|though|yet|while|whether|unclear|reported\w*|allegedly|critics|some say|"
    r"not yet|remains?|still|need\w*|only|record|histor\w*|breakthrough|tremendous|huge|"
    r"significant\w*|major|strong\w*|clearly|undoubtedly|certain\w*|will|boost\w*|"
    r"great\w*|best|success\w*|transform\w*|landmark|unprecedented|milestone|surg\w*|soar\w*)\b",
    re.I,
)


#: A draw's candidate rows, PTC's then Reuters': (source, start, end, text, previous text).
Corpora = tuple[list[tuple], list[tuple]]


def split_of(source: str) -> str:
    """Assign a document to train (70%), dev (10%) or test (20%) by a stable hash."""
    bucket = int(hashlib.sha256(source.encode()).hexdigest(), 16) % 10
    return "test" if bucket < 2 else "dev" if bucket == 2 else "train"


def _ptc_sentences(root: Path):
    for doc in iter_ptc(root):
        pos = 0
        lines = doc.text.split("\n")
        prev = ""
        for line in lines:
            start, end = pos, pos + len(line)
            pos = end + 1
            stripped = line.strip()
            if not stripped:
                continue
            lead = len(line) - len(line.lstrip())
            yield doc.source, start + lead, start + lead + len(stripped), stripped, prev
            prev = stripped


def _reuters_sentences(root: Path, punkt):
    for doc in iter_reuters(root):
        prev = ""
        for s, e in punkt.span_tokenize(doc.text):
            # span_tokenize keeps paragraphs apart only by accident: cut at newlines too.
            for part in re.finditer(r"[^\n]+", doc.text[s:e]):
                text = part.group().strip()
                if len(text.split()) < 4:
                    continue
                a = s + part.start() + (len(part.group()) - len(part.group().lstrip()))
                yield doc.source, a, a + len(text), text, prev
                prev = text


#: Stems of praise, success and force for the second, claim-rich draw: the first draw held
#: too few claims (about 9%) to learn their variety from.
_CLAIM_RICH = re.compile(
    r"\b(record|histor\w*|breakthrough|tremendous|huge|massive|significant\w*|major|strong\w*|"
    r"clear(?:ly)?|undoubted\w*|certain(?:ly)?|definite\w*|obvious\w*|surely|indeed|in fact|"
    r"boost\w*|great\w*|best|success\w*|transform\w*|landmark|unprecedented|milestone|"
    r"surg\w*|soar\w*|excellent|outstanding|remarkabl\w*|extraordinar\w*|impressive|brilliant|"
    r"superb|vital|crucial|essential|guarantee\w*|ensur\w*|prov\w*|confirm\w*|win\w*|"
    r"victor\w*|triumph\w*|achiev\w*|progress|improv\w*|benefit\w*|opportunit\w*|hail\w*|"
    r"prais\w*|welcom\w*|strength\w*|robust|booming|thriv\w*|first|only|always|never|"
    r"everything|nothing|absolute\w*|total\w*|complete\w*|fully|firmly)\b",
    re.I,
)


#: The first targeted draw (model 1.3.0): LABELING.md's own hedge and claim phrases that
#: the first two draws held too rarely for the model to learn (probes written to the
#: guidelines found "depends on", "as long as", "will need X's agreement" and "paves the
#: way" missed), and negations, which the guidelines call no hedge when they only deny a
#: fact. Stratum name -> (share of the draw, pattern). The patterns only choose what to
#: read: annotators label every drawn sentence by hand, positives and negatives alike.
_TARGETED = {
    "condition-rich": (
        0.5,
        re.compile(
            r"\b(depend\w*|hing\w* on|as long as|so long as|provided|providing|subject to|"
            r"unless|on condition|conditional|contingent|pending|only if|approv\w*|"
            r"agreement|consent|requir\w*|need\w*)\b",
            re.I,
        ),
    ),
    "negation": (
        0.25,
        re.compile(r"\b(not|never|no|none|neither|nor|without|cannot)\b|n't\b", re.I),
    ),
    "promise-rich": (
        0.25,
        re.compile(
            r"\b(pav\w* the way|transform\w*|revolution\w*|game.?changer|nothing short|"
            r"no doubt|beyond doubt|without (a )?doubt|no question|certain to|sure to|"
            r"ensur\w*|cornerstone|testament|solidif\w*|turning point|would (boost|help|"
            r"create|bring|strengthen|improve|allow|make))\b",
            re.I,
        ),
    ),
}


#: The second targeted draw (model 1.4.0), for what model 1.3.0 still missed on sentences
#: written to the guidelines: short contrasts, praise without the lexicon's boosters (in Reuters,
#: "outstanding" is mostly a debt, so these also hold hard negatives), and conditionals,
#: of which the guidelines label those that limit a claim or a prediction, not rules.
_TARGETED_SECOND = {
    "contrast-rich": (
        0.35,
        re.compile(
            r"\b(but|however|yet|although|though|despite|while|whereas|even as|"
            r"nevertheless|nonetheless|still)\b",
            re.I,
        ),
    ),
    "praise-rich": (
        0.4,
        re.compile(
            r"\b(outstanding|dazzling|superb|stellar|brilliant|impressive|remarkabl\w*|"
            r"extraordinar\w*|spectacular|stunning|smash\w*|resounding|triumph\w*|excellent|"
            r"exceptional|phenomenal|unrivall?ed|world.class|best|greatest|finest|hero\w*|"
            r"incredibl\w*|amazing|magnificent|wonderful|proud|delighted|thrilled|vital|"
            r"crucial|essential)\b",
            re.I,
        ),
    ),
    "conditional": (
        0.25,
        re.compile(r"\b(if|as long as|so long as|depending|in case|assuming|whether)\b", re.I),
    ),
}
#: (strata, seed offset) of the targeted draws, in the order they were labeled.
TARGETED_DRAWS = ((_TARGETED, 2), (_TARGETED_SECOND, 3))

#: The boundary draw (shelved: ``training.datasets.SHELVED_STRATA``): no pattern, but the
#: sentences a model is least sure of.
#: Out of fold, 1.9.0's claim misses on real news were praise and certainty that no word list
#: names, so a pattern cannot find more of them; its P(claim) can. In 1.9.0's out-of-fold
#: scores of the natural news rows, [0.10, 0.60) held 417 of 2,816 sentences and 96 of their
#: 250 claims (23%, against 9% overall): the claims it half sees, beside the near misses
#: that teach precision. Annotators see the sentence and its context, never the score.
BOUNDARY_STRATUM = "boundary"
BOUNDARY_BAND = (0.10, 0.60)
#: The model whose scores choose the boundary draw: 1.9.0 (committed in e91617e; put its four
#: files back in models/ to draw again).
BOUNDARY_MODEL = "1.9.0"


def draw_targeted(
    corpora: Corpora, n: int, exclude: set[tuple[str, int, int]], which: int = 0
) -> list[dict]:
    """Targeted draw ``which`` of TARGETED_DRAWS: ``n`` sentences of train/dev documents.

    Drawn as the claim-rich draw is (``_draw_train_dev``). Training learns from these
    rows but calibrates and picks thresholds without them
    (``training.datasets.NATURAL_STRATA``).
    """
    strata, offset = TARGETED_DRAWS[which]
    return _draw_train_dev(corpora, n, exclude, strata, SEED + offset)


def _draw_train_dev(
    corpora: Corpora,
    n: int,
    exclude: set[tuple[str, int, int]],
    strata: dict[str, tuple[float, re.Pattern]],
    seed: int,
) -> list[dict]:
    """``n`` sentences of train/dev documents only, each stratum its share of them, half
    from PTC and half from Reuters, among the sentences its pattern matches.

    Test documents are left out so that the test split keeps the distribution of the
    first draw; sentences already drawn (``exclude``, then this draw's) are skipped.
    """
    rng = random.Random(seed)
    taken = set(exclude)
    pool = []
    for stratum, (share, pattern) in strata.items():
        for rows in corpora:
            candidates = [
                r
                for r in rows
                if split_of(r[0]) != "test" and r[:3] not in taken and pattern.search(r[3])
            ]
            rng.shuffle(candidates)
            for row in candidates[: round(n * share / 2)]:
                taken.add(row[:3])
                pool.append(_record(row, stratum))
    rng.shuffle(pool)
    return pool


def draw_boundary(
    corpora: Corpora,
    n: int,
    exclude: set[tuple[str, int, int]],
    claim_proba: Callable[[list[str]], np.ndarray],
) -> list[dict]:
    """``n`` sentences of train/dev documents, half from PTC and half from Reuters, drawn
    uniformly among those whose ``claim_proba`` lies in ``BOUNDARY_BAND``.

    Test documents are left out, as in every draw after the first; so are the sentences
    already drawn (``exclude``).
    """
    rng = random.Random(SEED + 4)
    lo, hi = BOUNDARY_BAND
    pool = []
    for rows in corpora:
        candidates = [r for r in rows if split_of(r[0]) != "test" and r[:3] not in exclude]
        proba = claim_proba([r[3] for r in candidates])
        inside = [r for r, p in zip(candidates, proba, strict=True) if lo <= p < hi]
        rng.shuffle(inside)
        pool += [_record(row, BOUNDARY_STRATUM) for row in inside[: n // 2]]
    rng.shuffle(pool)
    return pool


def model_claim_proba(version: str = BOUNDARY_MODEL) -> Callable[[list[str]], np.ndarray]:
    """P(claim) of sentences, each read alone, by the shipped model ``version`` (as ``analyze``
    scores a one-sentence text)."""
    from service.analysis.cues import find_cues
    from service.analysis.model import load_model

    model = load_model(version=version)

    def claim_proba(texts: list[str]) -> np.ndarray:
        out = []
        for k in range(0, len(texts), 5000):
            part = texts[k : k + 5000]
            out.append(model.predict(part, [find_cues(t) for t in part]).proba[:, 0])
        return np.concatenate(out) if out else np.zeros(0)

    return claim_proba


def _record(row: tuple, stratum: str) -> dict:
    """A pool row: a sentence's source, offsets, text, the sentence before it, how drawn."""
    source, start, end, text, prev = row
    return {
        "source": source,
        "start": start,
        "end": end,
        "text": text,
        "context": prev,
        "stratum": stratum,
        "split": split_of(source),
    }


def draw_claim_rich(corpora: Corpora, n: int, exclude: set[tuple[str, int, int]]) -> list[dict]:
    """A second draw of ``n`` sentences from train/dev documents only, matching _CLAIM_RICH."""
    return _draw_train_dev(corpora, n, exclude, {"claim-rich": (1.0, _CLAIM_RICH)}, SEED + 1)


def read_corpora(root: Path) -> Corpora:
    """The candidate sentences of PTC and of Reuters, read once for every draw."""
    punkt = nltk_english_punkt(root)  # the pool's splitter
    return list(_ptc_sentences(root)), list(_reuters_sentences(root, punkt))


def draw(corpora: Corpora, per_corpus: int) -> list[dict]:
    """Draw ``per_corpus`` sentences from PTC and from Reuters, half cue-rich, half uniform."""
    rng = random.Random(SEED)
    pool = []
    for rows in corpora:
        rich = [r for r in rows if _CUE_RICH.search(r[3])]
        chosen = set()
        picked = []
        for stratum, candidates in (("cue-rich", rich), ("uniform", rows)):
            order = list(range(len(candidates)))
            rng.shuffle(order)
            n = 0
            for i in order:
                key = candidates[i][:3]
                if key in chosen:
                    continue
                chosen.add(key)
                picked.append((stratum, candidates[i]))
                n += 1
                if n == per_corpus // 2:
                    break
        pool += [_record(row, stratum) for stratum, row in picked]
    rng.shuffle(pool)
    for i, row in enumerate(pool):
        row["id"] = f"n{i:05d}"
    return pool


@command
def main(argv: list[str] | None = None) -> None:
    """Write the pool as JSONL chunks of ``--chunk`` sentences into OUT."""
    ap = argparse.ArgumentParser(
        prog="python -m training.news_pool", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "out",
        type=output_dir,
        help="folder for the chunk files (made when missing); outside the project: they "
        "hold the corpora's text",
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="the corpora folder")
    ap.add_argument(
        "--per-corpus",
        type=positive_int,
        default=1800,
        help="sentences of the first draw from PTC and from Reuters each, half cue-rich, "
        "half uniform",
    )
    ap.add_argument(
        "--chunk",
        type=positive_int,
        default=400,
        help="sentences a chunk file (chunk-NN.jsonl) holds",
    )
    ap.add_argument(
        "--claim-rich",
        type=count,
        default=1600,
        help="size of the second, claim-rich draw (chunks after the first draw's)",
    )
    ap.add_argument(
        "--targeted",
        type=count,
        nargs=2,
        default=(800, 600),
        help="sizes of the two targeted draws (chunks after the claim-rich draw's)",
    )
    ap.add_argument(
        "--boundary",
        type=count,
        default=0,
        help=f"size of the boundary draw, chosen by model {BOUNDARY_MODEL}'s P(claim) in "
        f"{list(BOUNDARY_BAND)} (needs that model in models/); written as boundary-NN.jsonl "
        "chunks of --boundary-chunk",
    )
    ap.add_argument(
        "--boundary-chunk",
        type=positive_int,
        default=200,
        help="sentences a boundary chunk file (boundary-NN.jsonl) holds",
    )
    args = ap.parse_args(argv)
    require_corpora(args.data, "reuters21578", "semeval2020-ptc")
    corpora = read_corpora(args.data)
    pool = draw(corpora, args.per_corpus)
    first = len(pool)
    pool += draw_claim_rich(
        corpora, args.claim_rich, {(r["source"], r["start"], r["end"]) for r in pool}
    )
    for which, n in enumerate(args.targeted):
        pool += draw_targeted(
            corpora, n, {(r["source"], r["start"], r["end"]) for r in pool}, which
        )
    boundary = []
    if args.boundary:
        taken = {(r["source"], r["start"], r["end"]) for r in pool}
        boundary = draw_boundary(corpora, args.boundary, taken, model_claim_proba())
    for i, row in enumerate(pool[first:] + boundary, first):
        row["id"] = f"n{i:05d}"
    args.out.mkdir(parents=True, exist_ok=True)
    chunked = (("chunk", pool, args.chunk), ("boundary", boundary, args.boundary_chunk))
    for name, rows, size in chunked:
        for k in range(0, len(rows), size):
            with open(args.out / f"{name}-{k // size:02d}.jsonl", "w", encoding="utf-8") as fh:
                for row in rows[k : k + size]:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(pool) + len(boundary)} sentences in chunks under {args.out}")


if __name__ == "__main__":
    main()
