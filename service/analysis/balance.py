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
    # The label is the reported score's: 0.5499999 is reported as 0.55, and labelled so.
    rounded = None if value is None else round(value, 4)
    label = label_for(rounded)
    qualified = len({link.claim for link in links if link.claim in claim_weights})
    linked = len({link.hedge for link in links if link.claim in claim_weights})
    n = len(claim_weights)
    text = summary(rounded, n, qualified, hedges, linked)
    return Balance(rounded, label, n, hedges, qualified, text)


def shown_score(value: float) -> str:
    """The score as a reader sees it: two decimals, or four where two would put it on the
    other side of a cut-off ("partly qualified (score 0.55)" for 0.5488 reads as a
    contradiction)."""
    short = f"{value:.2f}"
    return short if label_for(float(short)) == label_for(value) else f"{value:.4f}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(value: float | None, claims: int, qualified: int, hedges: int, linked: int) -> str:
    """One plain sentence for a reader: how many claims the caveats qualify, by how many of the
    article's caveats (``linked`` of its ``hedges``), and the verdict. A caveat that qualifies
    no claim is counted apart, so the sentence never credits it with qualifying one."""
    if value is None:
        return "The article makes no optimistic claim that needs qualifying."
    verdict = f"{label_for(value).replace('partly-', 'partly ')} (score {shown_score(value)})"
    if qualified:
        verb = "is" if qualified == 1 else "are"
        head = (
            f"{qualified} of {_count(claims, 'optimistic claim', 'optimistic claims')} {verb} "
            f"qualified by {_count(linked, 'caveat', 'caveats')}"
        )
        others = max(0, hedges - linked)
        if others:
            head += f" ({_count(others, 'more qualifies', 'more qualify')} none)"
    else:
        head = (
            "The optimistic claim is not qualified"
            if claims == 1
            else f"None of the {claims} optimistic claims is qualified"
        )
        if hedges:
            head += f", though the article has {_count(hedges, 'caveat', 'caveats')}"
    return f"{head}: {verdict}."
