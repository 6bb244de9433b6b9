"""The balance score: formula, labels, and monotonicity for every input (hypothesis)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.analysis.balance import balance, label_for, qualification, score
from service.analysis.types import Link

weights = st.dictionaries(st.integers(0, 30), st.floats(0.01, 1.0), min_size=1, max_size=12)
strengths = st.floats(0.0, 1.0)


@st.composite
def articles(draw):
    claims = draw(weights)
    links = draw(
        st.lists(st.builds(Link, st.sampled_from(sorted(claims)), st.integers(0, 40), strengths))
    )
    return claims, links


def test_no_claims_gives_null_score_and_label():
    assert score({}, []) is None
    readout = balance({}, 3, [])
    assert (readout.score, readout.label, readout.claims) == (None, "no-claims", 0)


def test_one_fully_qualified_claim_scores_its_link_strength():
    assert score({0: 0.9}, [Link(0, 1, 0.8)]) == pytest.approx(0.8)


def test_two_links_combine_as_noisy_or():
    assert qualification([0.5, 0.5]) == pytest.approx(0.75)


def test_weights_decide_the_share():
    assert score({0: 0.9, 1: 0.3}, [Link(1, 2, 1.0)]) == pytest.approx(0.3 / 1.2)


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (None, "no-claims"),
        (0.0, "one-sided"),
        (0.24, "one-sided"),
        (0.25, "partly-qualified"),
        (0.54, "partly-qualified"),
        (0.55, "balanced"),
        (1.0, "balanced"),
    ],
)
def test_labels_follow_the_documented_cut_points(value, label):
    assert label_for(value) == label


@given(articles())
def test_score_stays_in_unit_interval(article):
    claims, links = article
    assert 0.0 <= score(claims, links) <= 1.0


@given(articles(), st.integers(0, 40), strengths)
def test_adding_a_linked_caveat_never_lowers_the_score(article, hedge, strength):
    claims, links = article
    target = sorted(claims)[0]
    before = score(claims, links)
    after = score(claims, links + [Link(target, hedge, strength)])
    assert after >= before - 1e-12


@given(articles(), st.floats(0.01, 1.0))
def test_adding_an_unqualified_claim_never_raises_the_score(article, weight):
    claims, links = article
    new_index = max(claims) + 1
    before = score(claims, links)
    after = score({**claims, new_index: weight}, links)
    assert after <= before + 1e-12


def test_summary_counts_qualified_claims():
    readout = balance({0: 0.9, 4: 0.8}, 2, [Link(0, 1, 0.6), Link(0, 2, 0.5)])
    assert (readout.claims, readout.hedges, readout.qualified_claims) == (2, 2, 1)
    assert readout.summary.startswith("1 of 2 optimistic claims is qualified")


def test_summary_credits_only_the_caveats_that_qualify_a_claim():
    # Three caveats in the article, one of them linked: the other two qualify nothing.
    readout = balance({0: 0.9, 4: 0.8}, 3, [Link(0, 1, 0.6)])
    assert readout.summary == (
        "1 of 2 optimistic claims is qualified by 1 caveat (2 more qualify none): "
        "partly qualified (score 0.32)."
    )


def test_summary_of_unqualified_claims_says_so_whatever_the_caveats():
    assert balance({0: 0.9, 4: 0.8}, 3, []).summary == (
        "None of the 2 optimistic claims is qualified, though the article has 3 caveats: "
        "one-sided (score 0.00)."
    )
    assert balance({0: 0.9}, 0, []).summary == (
        "The optimistic claim is not qualified: one-sided (score 0.00)."
    )


@pytest.mark.parametrize(
    ("weights", "strength", "score_", "label", "shown"),
    [
        # One claim of weight 0.9334 and one link at 0.55: 0.5499999999999999 before rounding.
        ({0: 0.9334}, 0.55, 0.55, "balanced", "balanced (score 0.55)"),
        ({0: 1.0}, 0.5488, 0.5488, "partly-qualified", "partly qualified (score 0.5488)"),
        ({0: 1.0}, 0.2496, 0.2496, "one-sided", "one-sided (score 0.2496)"),
        ({0: 1.0}, 0.5412, 0.5412, "partly-qualified", "partly qualified (score 0.54)"),
    ],
)
def test_the_label_and_summary_agree_with_the_reported_score(
    weights, strength, score_, label, shown
):
    result = balance(weights, 1, [Link(0, 1, strength)])
    assert result.score == score_
    assert result.label == label == label_for(result.score)
    assert result.summary.endswith(f"{shown}.")


@given(articles())
def test_the_label_is_always_the_reported_scores_and_the_summary_shows_it(article):
    claims, links = article
    result = balance(claims, len({x.hedge for x in links}), links)
    assert result.label == label_for(result.score)
    shown = float(result.summary.rsplit("(score ", 1)[1].rstrip(").").strip())
    assert label_for(shown) == result.label
