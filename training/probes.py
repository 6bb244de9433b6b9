"""Guideline probes: the model on sentences written to LABELING.md (python -m training.probes).

Seven sets of our own one-sentence examples, each labeled by LABELING.md and the decisions
in ``training/labels/INSTRUCTIONS.md``, sit in ``training/probes/``:

- ``guideline-dev.jsonl`` (69): written while reading the model's errors. It found the
  gaps that the targeted draw of model 1.3.0 was labeled for, so it is a development
  set: its figures say what was fixed, not how well the model generalises.
- ``guideline-heldout.jsonl`` (120): written by a helper from the guidelines alone, who
  saw neither the model nor our labeled data; about 30 claims, 12 hedges of each type
  and 30 hard negatives. Nothing in model 1.3.0 was chosen on it; its misses (with the
  dev set's) chose what the second targeted draw (model 1.4.0) read.
- ``guideline-heldout-2.jsonl`` (150): written the same way by another helper, in the
  manner of 2020s wire copy (attribution tails, numbers, clauses), before model 1.4.0 was
  trained and scored only after it was chosen; 44 claims, 75 hedges, 42 neither.
- ``guideline-heldout-3.jsonl`` (150): written the same way by a fifth helper, as sentences
  of 2020s news across all beats, while four others wrote our written training sentences
  (``training/labels/written.jsonl``); model 1.6.1 was scored on it before any model was
  trained on those, and the rule for keeping them was set then (README); 45 claims, 77
  hedges, 44 neither. Its sentences were not read while choosing anything.
- ``guideline-heldout-4.jsonl`` (150): written the same way by a sixth helper (many kinds of
  outlet and English-speaking country, a few headlines) while four more wrote the second
  batch of written sentences (``w5``-``w8``, trained on since model 1.8.0); models 1.6.1
  and 1.7.0 were scored on it first (README); 45 claims, 72 hedges, 40 neither. Not read
  while choosing anything either.
- ``guideline-heldout-5.jsonl`` (149): written the same way by a seventh helper (many kinds
  of copy and country: wire, regional, trade press, live blogs, profiles, corrections) while
  the claim tagger's articles were being left out (``cue_tagger.CLAIM_PARAMS``); one of its
  150 came within Jaccard 0.6 of a written training sentence and was dropped; model 1.7.0
  was scored on it before any model with that change or the second batch (README); 47
  claims, 73 hedges, 39 neither. Not read while choosing anything.
- ``guideline-heldout-6.jsonl`` (147): written the same way by a new helper (every beat and
  kind of copy, outlets in several countries) while four others wrote the third batch of
  written sentences (``w9``-``w12``); three of its 150 came within Jaccard 0.6 of a probe or
  written sentence and were dropped; model 1.8.0 was scored on it before any model was trained
  on that batch (README); 44 claims, 79 hedges. Not read while choosing anything. Another
  helper labeled it a second time, blind (``guideline-heldout-6.second-pass.jsonl``, which
  ``training.agreement`` compares with it): kappa 1.000 for claims, 0.986 for hedges.

Small sets, and written sentences rather than news as it comes: they check the
definition (does the model know the guidelines' own phrases?), not a test score.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from service.analysis.analyzer import Analyzer
from service.analysis.model import MODELS_DIR, load_model
from service.cli import command, input_dir
from training.metrics import confusion, label_metrics

PROBES_DIR = Path(__file__).resolve().parent / "probes"
SETS = (
    "guideline-dev",
    "guideline-heldout",
    "guideline-heldout-2",
    "guideline-heldout-3",
    "guideline-heldout-4",
    "guideline-heldout-5",
    "guideline-heldout-6",
)


def load_probes(name: str) -> list[dict]:
    """The probe set ``name``: dicts with text, claim, hedge and types."""
    with open(PROBES_DIR / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _f1(gold: list[int], flagged: list[int]) -> dict:
    tp, fp, fn = confusion(gold, flagged)
    return {"f1": label_metrics(gold, flagged, 1)["f1"], "tp": tp, "fp": fp, "fn": fn}


def score(analyzer: Analyzer, probes: list[dict]) -> dict:
    """Claim and hedge F1 over the probes, and the types of correctly flagged hedges.

    A probe the segmenter cuts into more than one sentence counts as unflagged.
    """
    flags, misses = [], []
    for probe in probes:
        sentences = analyzer.analyze(probe["text"]).sentences
        if len(sentences) != 1:
            flags.append((0, 0, []))
            continue
        s = sentences[0]
        flags.append((int(s.claim.flagged), int(s.hedge.flagged), list(s.hedge.types)))
        if flags[-1][:2] != (probe["claim"], probe["hedge"]):
            misses.append(
                {
                    "text": probe["text"],
                    "gold": [probe["claim"], probe["hedge"], probe["types"]],
                    "claim_p": s.claim.probability,
                    "hedge_p": s.hedge.probability,
                }
            )
    typed = [(p, f) for p, f in zip(probes, flags, strict=True) if p["hedge"] and f[1]]
    return {
        "n": len(probes),
        "claim": _f1([p["claim"] for p in probes], [f[0] for f in flags]),
        "hedge": _f1([p["hedge"] for p in probes], [f[1] for f in flags]),
        "types_any_right": sum(bool(set(p["types"]) & set(f[2])) for p, f in typed),
        "types_exact": sum(set(p["types"]) == set(f[2]) for p, f in typed),
        "typed_hedges": len(typed),
        "misses": misses,
    }


@command
def main(argv: list[str] | None = None) -> None:
    """Print each set's figures (and, with --misses, the probes the model gets wrong)."""
    ap = argparse.ArgumentParser(
        prog="python -m training.probes", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--models", type=input_dir, default=MODELS_DIR, help="the models folder (default: ours)"
    )
    ap.add_argument("--version", help="model version (default: the newest)")
    ap.add_argument("--misses", action="store_true", help="list the probes the model misses")
    args = ap.parse_args(argv)
    model = load_model(args.models, args.version)
    analyzer = Analyzer(model)
    print(f"model {model.card['version']}")
    print("| set | n | claim F1 (tp/fp/fn) | hedge F1 (tp/fp/fn) | types of flagged hedges |")
    print("|---|---|---|---|---|")
    results = {name: score(analyzer, load_probes(name)) for name in SETS}
    for name, r in results.items():
        c, h = r["claim"], r["hedge"]
        print(
            f"| {name} | {r['n']} | {c['f1']:.3f} ({c['tp']}/{c['fp']}/{c['fn']}) "
            f"| {h['f1']:.3f} ({h['tp']}/{h['fp']}/{h['fn']}) "
            f"| any right {r['types_any_right']}/{r['typed_hedges']}, "
            f"exact {r['types_exact']}/{r['typed_hedges']} |"
        )
    if args.misses:
        for name, r in results.items():
            print(f"\n{name}: gold [claim, hedge, types], then P(claim), P(hedge)")
            for m in r["misses"]:
                print(f"  {m['gold']} {m['claim_p']:.2f} {m['hedge_p']:.2f} {m['text']}")


if __name__ == "__main__":
    main()
