"""Behavioural tests of the shipped model (minimum functionality, invariance, direction)."""

import pytest

from service.analysis.analyzer import Analyzer
from service.analysis.cues import find_cues
from service.analysis.model import load_model
from training.probes import SETS as PROBE_SETS


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(load_model())


def sentence(analyzer, text):
    result = analyzer.analyze(text)
    assert len(result.sentences) == 1
    return result.sentences[0]


@pytest.mark.parametrize(
    "text",
    [
        "The minister hailed the agreement as a historic breakthrough for the region.",
        "Executives said the merger was a tremendous success and a huge boost for shareholders.",
        "The new law will transform the lives of millions of families.",
    ],
)
def test_obvious_claims_are_flagged(analyzer, text):
    assert sentence(analyzer, text).claim.flagged


@pytest.mark.parametrize(
    ("text", "hedge_type"),
    [
        ("The talks may collapse before the end of the week.", "uncertainty"),
        ("More work is needed before the treaty can be signed.", "limitation"),
        ("The plan will go ahead only if parliament approves the budget.", "condition"),
        ("The deal reportedly includes a clause on energy prices.", "attribution"),
        # LABELING.md's own conditions, which model 1.2.2 missed and the targeted draws of
        # models 1.3.0 and 1.4.0 taught (training/labels/README.md).
        ("The sale is subject to approval by shareholders.", "condition"),
        ("The strike will go ahead unless the company improves its offer.", "condition"),
        ("The loan will be paid provided that the reforms are passed.", "condition"),
        ("Any lasting peace will need the agreement of both parliaments.", "condition"),
        ("The merger depends on approval by regulators.", "condition"),
        ("Prices will rise, depending on demand.", "condition"),
    ],
)
def test_obvious_hedges_are_flagged_with_their_type(analyzer, text, hedge_type):
    result = sentence(analyzer, text)
    assert result.hedge.flagged
    assert hedge_type in result.hedge.types


@pytest.mark.parametrize(
    "text",
    [
        "The meeting took place on Tuesday in Geneva.",
        "The company employs 300 people at its plant in Ohio.",
        "The vote is set for May 20.",
    ],
)
def test_neutral_reports_are_not_flagged(analyzer, text):
    result = sentence(analyzer, text)
    assert not result.claim.flagged and not result.hedge.flagged


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "The talks in Paris may collapse before Friday.",
            "The talks in Berlin may collapse before Monday.",
        ),
        (
            "The minister hailed the agreement as a historic breakthrough.",
            "The president hailed the accord as a historic breakthrough.",
        ),
        (
            "Exports rose 5 pct to 2.1 billion dollars in March.",
            "Exports rose 7 pct to 3.4 billion dollars in April.",
        ),
    ],
)
def test_names_and_numbers_do_not_change_the_labels(analyzer, a, b):
    sa, sb = sentence(analyzer, a), sentence(analyzer, b)
    assert (sa.claim.flagged, sa.hedge.flagged) == (sb.claim.flagged, sb.hedge.flagged)


@pytest.mark.parametrize(
    ("plain", "hedged"),
    [
        ("The reform will cut costs.", "The reform may cut costs."),
        ("The deal ends the dispute.", "The deal could end the dispute."),
        ("Prices will rise next year.", "Prices will probably rise next year."),
    ],
)
def test_adding_a_modal_raises_the_hedge_probability(analyzer, plain, hedged):
    assert (
        sentence(analyzer, hedged).hedge.probability > sentence(analyzer, plain).hedge.probability
    )


@pytest.mark.parametrize(
    ("boosted", "negated"),
    [
        ("This is a historic breakthrough.", "This is not a historic breakthrough."),
        ("The summit was a tremendous success.", "The summit was hardly a tremendous success."),
    ],
)
def test_negating_a_booster_lowers_the_claim_probability(analyzer, boosted, negated):
    assert (
        sentence(analyzer, negated).claim.probability
        < sentence(analyzer, boosted).claim.probability
    )
    assert not [c for c in sentence(analyzer, negated).cues if c.label == "claim"]


@pytest.mark.parametrize(
    "text",
    [
        # LABELING.md's own examples of boosters that are no claim, and two more.
        "This is not a breakthrough.",
        "Is it really historic?",
        "This is not a historic moment for the country.",
        "Is this really a tremendous success for the region?",
    ],
)
def test_a_negated_or_questioned_booster_is_not_a_claim(analyzer, text):
    assert not sentence(analyzer, text).claim.flagged


def test_a_flagged_claim_shows_the_claim_taggers_booster_where_the_lexicon_has_none(analyzer):
    text = "This is a truly great day for our workers."
    assert not [c for c in find_cues(text) if c.label == "claim"]
    sentence = analyzer.analyze(text).sentences[0]
    assert sentence.claim.flagged
    assert [(c.label, c.text) for c in sentence.cues] == [("claim", "great")]


def test_a_hedge_explanation_names_the_cue_tagger_beside_the_features(analyzer):
    from service.analysis.analyzer import TAGGER_TERM

    hedged = analyzer.analyze("The talks may collapse this week.", explain=True).sentences[0]
    plain = analyzer.analyze("The talks ended on Tuesday in Geneva.", explain=True).sentences[0]
    hedged_terms, plain_terms = (
        {f["feature"]: f["weight"] for f in s.features["hedge"]} for s in (hedged, plain)
    )
    # "may" read as a cue pushes P(hedge) up; a sentence without a likely cue word pulls it down.
    assert hedged_terms[TAGGER_TERM] > 0
    assert plain_terms[TAGGER_TERM] < 0
    assert len(hedged.features["hedge"]) <= 6


def test_a_claim_explanation_names_the_claim_tagger_beside_the_features(analyzer):
    from service.analysis.analyzer import TAGGER_TERM

    boosted = analyzer.analyze("Officials hailed a historic breakthrough.", explain=True)
    plain = analyzer.analyze("The talks ended on Tuesday in Geneva.", explain=True)
    boosted_terms, plain_terms = (
        {f["feature"]: f["weight"] for f in a.sentences[0].features["claim"]}
        for a in (boosted, plain)
    )
    # The claim tagger's reading of "historic breakthrough" pushes P(claim) up; a sentence
    # without a candidate word gets the combiner's no-candidate term, which pulls it down.
    assert boosted_terms[TAGGER_TERM] > 0
    assert plain_terms[TAGGER_TERM] < 0


# LABELING.md phrase by phrase: model 1.2.2 read "there is no doubt" as doubt; model 1.4.0's
# tagger takes no hedge candidate inside a booster.
@pytest.mark.parametrize(
    "text",
    [
        "There is no doubt that the new policy is working.",
        "Without a doubt, the new policy is working.",
    ],
)
def test_a_certainty_booster_is_a_claim_not_a_doubt(analyzer, text):
    result = sentence(analyzer, text)
    assert result.claim.flagged and not result.hedge.flagged


@pytest.mark.parametrize(
    "condition",
    [
        " as long as fuel prices stay low",
        ", depending on fuel prices",
        " if fuel prices stay low",
        ", subject to approval by the board",
        ", but it will need the agreement of the unions",
    ],
)
def test_a_condition_clause_raises_the_hedge_probability(analyzer, condition):
    plain = sentence(analyzer, "The plan will cut costs.").hedge.probability
    hedged = sentence(analyzer, f"The plan will cut costs{condition}.").hedge.probability
    assert hedged > plain + 0.15


# Known gaps of the shipped model against LABELING.md (docs/quality-history.md, models 1.3.0
# and 1.4.0). Strict: a model that gets one right fails here, so that the docs and this list
# are updated.
def test_as_long_as_makes_a_forecast_conditional(analyzer):
    # A known gap (strict xfail) up to model 1.5.0, which read "as long as" at P 0.34-0.36
    # under its 0.39 threshold: in its training news, "as long as possible" and "lasted as
    # long as it did" counted as conditions too. Model 1.6.0's lexicon reads those as an
    # extent, not a condition.
    found = sentence(analyzer, "Exports will grow as long as the currency stays weak.").hedge
    assert found.flagged and "condition" in found.types


@pytest.mark.xfail(strict=True, reason="known gap: a plain negation or a rule taken for a hedge")
@pytest.mark.parametrize(
    "text",
    ["He did not attend the meeting.", "If a player receives two yellow cards, he is sent off."],
)
def test_known_gap_negations_and_rules_are_no_hedges(analyzer, text):
    assert not sentence(analyzer, text).hedge.flagged


@pytest.mark.parametrize("name", PROBE_SETS)
def test_the_guideline_probes_are_labeled_by_the_rules(name):
    from service.analysis.types import HEDGE_TYPES
    from training.probes import load_probes

    probes = load_probes(name)
    assert len({p["text"] for p in probes}) == len(probes)
    for p in probes:
        assert p["claim"] in (0, 1) and p["hedge"] in (0, 1)
        assert set(p["types"]) <= set(HEDGE_TYPES)
        assert bool(p["types"]) == bool(p["hedge"]), p["text"]


@pytest.mark.parametrize(
    ("name", "claim_floor", "hedge_floor"),
    [
        ("guideline-heldout", 0.85, 0.85),
        ("guideline-heldout-2", 0.75, 0.85),
        ("guideline-heldout-3", 0.85, 0.85),
        ("guideline-heldout-4", 0.85, 0.85),
        ("guideline-heldout-5", 0.85, 0.85),
        ("guideline-heldout-6", 0.85, 0.85),
    ],
)
def test_the_held_out_guideline_probes_stay_above_their_floor(
    analyzer, name, claim_floor, hedge_floor
):
    # Sentences written to LABELING.md by helpers who saw neither the model nor our labels
    # (training/probes.py). Model 1.12.0: claim F1 0.968, 0.929, 0.943, 0.941, 0.921 and 0.892,
    # hedge 0.945, 0.967, 0.912, 0.907, 0.938 and 0.931. Model 1.11.0: claim F1 0.968, 0.902,
    # 0.955, 0.943, 0.919 and 0.881, hedge 0.961, 0.967, 0.924, 0.918, 0.952 and 0.943.
    # Models 1.9.0 and 1.10.0 (the same flags):
    # claim 0.968, 0.902, 0.955, 0.943, 0.909 and 0.881, hedge 0.946, 0.954, 0.925, 0.918, 0.952 and
    # 0.943 (1.8.0: claim 0.968,
    # 0.875, 0.930, 0.943, 0.911 and 0.894, hedge 0.921, 0.941, 0.912, 0.918, 0.937 and 0.930;
    # 1.7.0, the first trained on our written sentences: claim 0.951, 0.811, 0.907, 0.894 and 0.837,
    # hedge 0.912, 0.913, 0.910, 0.897 and 0.901; 1.6.1: claim 0.933, 0.687, 0.800, 0.795 and 0.769;
    # 1.2.2: claim 0.900 and 0.625 on the first two). A model below a floor has lost part of the
    # definition.
    from training.probes import load_probes, score

    result = score(analyzer, load_probes(name))
    assert result["claim"]["f1"] >= claim_floor
    assert result["hedge"]["f1"] >= hedge_floor
    assert result["types_any_right"] >= 0.9 * result["typed_hedges"]
