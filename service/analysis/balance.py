"""The balance score: the share of an article's claim weight that linked caveats qualify.

Formula (also in the README):

    w_i = P(claim) of flagged claim sentence i              (its weight)
    q_i = 1 - prod_j (1 - s_ij)                              (noisy-OR of its links' strengths)
    score = sum_i w_i * q_i / sum_i w_i                      (null when there is no claim)

Monotone by construction: a new link raises one q_i and leaves the weights
alone, so the score cannot fall; a new unqualified claim (q = 0) adds weight
to the denominator only, so the score cannot rise.

Labels: ``no-claims`` (null), ``one-sided`` (score < 0.25), ``partly-qualified``
(< 0.55), ``balanced`` (>= 0.55).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from service.analysis.types import Balance, Link

ONE_SIDED_BELOW = 0.25
BALANCED_FROM = 0.55


def qualification(strengths: Iterable[float]) -> float:
    """Noisy-OR of link strengths: the chance that at least one caveat qualifies the claim."""
    unqualified = 1.0
    for s in strengths:
        unqualified *= 1.0 - min(1.0, max(0.0, s))
    return 1.0 - unqualified


def score(claim_weights: Mapping[int, float], links: Iterable[Link]) -> float | None:
    """The balance score of claims {index: weight} under ``links``; None with no claim."""
    total = sum(claim_weights.values())
    if not claim_weights or total <= 0:
        return None
    by_claim: dict[int, list[float]] = {i: [] for i in claim_weights}
    for link in links:
        if link.claim in by_claim:
            by_claim[link.claim].append(link.strength)
    qualified = sum(w * qualification(by_claim[i]) for i, w in claim_weights.items())
    return min(1.0, max(0.0, qualified / total))


def label_for(value: float | None) -> str:
    """The balance label of a score."""
    if value is None:
        return "no-claims"
    if value < ONE_SIDED_BELOW:
        return "one-sided"
    return "partly-qualified" if value < BALANCED_FROM else "balanced"


def balance(claim_weights: Mapping[int, float], hedges: int, links: list[Link]) -> Balance:
    """The full readout: score, label, counts and a one-sentence summary."""
    value = score(claim_weights, links)
    label = label_for(value)
    qualified = len({link.claim for link in links if link.claim in claim_weights})
    n = len(claim_weights)
    if value is None:
        summary = "The article makes no optimistic claim that needs qualifying."
    else:
        noun = "claim" if n == 1 else "claims"
        caveats = "caveat" if hedges == 1 else "caveats"
        summary = (
            f"{qualified} of {n} optimistic {noun} {'is' if qualified == 1 else 'are'} qualified "
            f"by {hedges} nearby {caveats}: {label.replace('-', ' ')} (score {value:.2f})."
        )
    rounded = None if value is None else round(value, 4)
    return Balance(rounded, label, n, hedges, qualified, summary)
