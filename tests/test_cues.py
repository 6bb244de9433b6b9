"""The cue lexicon and its context rules."""

import pytest

from service.analysis.cues import find_cues


def cues_of(text):
    return [(c.label, c.type, text[c.start : c.end], c.negated) for c in find_cues(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Officials hailed "tremendous progress" on the deal.',
            ("claim", None, "tremendous progress"),
        ),
        ("It is a historic breakthrough for the region.", ("claim", None, "historic breakthrough")),
        ("The plan will transform the city.", ("claim", None, "will transform")),
        (
            "More work is needed to finalise the text.",
            ("hedge", "limitation", "More work is needed to finalise"),
        ),
        ("It remains to be seen whether it holds.", ("hedge", "uncertainty", "remains to be seen")),
        (
            "The pact will then need Moscow's agreement.",
            ("hedge", "condition", "will then need Moscow's agreement"),
        ),
        ("The deal could collapse.", ("hedge", "uncertainty", "could")),
        ("However, the vote was close.", ("hedge", "contrast", "However")),
        ("The minister reportedly resigned.", ("hedge", "attribution", "reportedly")),
        ("Critics argue the plan is costly.", ("hedge", "attribution", "Critics argue")),
        ("The talks depend on funding.", ("hedge", "condition", "depend on")),
        ("The details remain under wraps.", ("hedge", "limitation", "details remain under wraps")),
    ],
)
def test_finds_cue_with_type(text, expected):
    assert expected in [c[:3] for c in cues_of(text)]


@pytest.mark.parametrize(
    "text",
    [
        "The vote is set for May 20.",
        "Talks resumed in May after a pause.",
        "Theresa May said the talks went well.",
        "The might of the navy was on display.",
        "He could swim across the river as a boy.",
        "Yet another meeting was held.",
    ],
)
def test_non_hedge_readings_are_not_hedges(text):
    assert not [c for c in cues_of(text) if c[0] == "hedge" and c[1] == "uncertainty"]
    assert not [c for c in cues_of(text) if c[1] == "contrast"]


@pytest.mark.parametrize(
    "text",
    [
        "The company has about 12 mln shares outstanding after the split.",
        "It will redeem its outstanding 9.5 pct notes due 1995.",
        "Outstanding loans fell to 2.1 billion dlrs at the end of March.",
        "Two outstanding issues still divide the negotiators.",
        "Net income excludes an extraordinary gain of 3.2 mln dlrs.",
        "Shareholders will vote at an extraordinary general meeting in April.",
        "Profit before extraordinary items rose 4 pct.",
    ],
)
def test_terms_of_finance_are_no_boosters(text):
    # LABELING.md: a neutral report of a fact or number is no claim.
    assert [c for c in cues_of(text) if c[0] == "claim"] == []


@pytest.mark.parametrize(
    "text",
    [
        "The dollar hit a new record low against the yen.",
        "The trade deficit, which last year hit a record 166.3 billion dlrs, widened again.",
        "Exports suffered a record drop in March.",
        "Iran's Revolutionary Guards seized the tanker.",
        "Best Products Co Inc said sales rose 4 pct.",
        "A director sold one mln shares to Mason Best Co.",
    ],
)
def test_a_bad_record_or_a_name_is_no_booster(text):
    # LABELING.md: a negative or alarming statement is no claim; a name boosts nothing.
    assert [c for c in cues_of(text) if c[0] == "claim"] == []


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Exports hit a record 12 billion dlrs in March.", "a record"),
        ("Despite losses last year, the company posted record profits.", "record profits"),
        ("Surpluses declined only slightly from a record high.", "a record"),
        ("It is a revolutionary treatment for migraine.", "revolutionary"),
        ("She is the best player in the league.", "the best"),
        ("The pupils' exam results were outstanding this year.", "outstanding"),
        ("She gave an outstanding performance in the final.", "outstanding"),
        ("It was an extraordinary achievement for a small team.", "extraordinary"),
    ],
)
def test_praise_stays_a_booster(text, cue):
    assert ("claim", None, cue, False) in cues_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "They tried to delay the vote as long as possible.",
        "The strike lasted as long as it did because neither side would move.",
        "A pending lawsuit seeks damages from the firm.",
        "The company said a statement was pending.",
        "The process, which has a patent pending, was developed in Ohio.",
    ],
)
def test_an_extent_or_a_state_is_no_condition(text):
    assert [c for c in cues_of(text) if c[1] == "condition"] == []


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Exports will grow as long as the currency stays weak.", "as long as"),
        ("The deal will close so long as regulators agree.", "so long as"),
        ("The plant stays shut pending approval by inspectors.", "pending"),
    ],
)
def test_a_condition_stays_a_condition(text, cue):
    assert ("hedge", "condition", cue, False) in cues_of(text)


@pytest.mark.parametrize(
    "text",
    ["This is not a breakthrough.", "It was hardly a historic day.", "Is it really historic?"],
)
def test_negated_or_questioned_booster_is_marked_negated(text):
    claims = [c for c in cues_of(text) if c[0] == "claim"]
    assert claims and all(c[3] for c in claims)


def test_no_doubt_is_a_booster_not_a_negation():
    assert ("claim", None, "There is no doubt", False) in cues_of("There is no doubt it worked.")


def test_offsets_slice_to_the_cue_on_unicode_text():
    text = "🙂 Ünïcode: the rollout may slip, 你好."
    assert [text[cue.start : cue.end] for cue in find_cues(text)] == ["may"]


def test_cue_inside_single_quotes_is_found():
    assert ("claim", None, "Tremendous Progress", False) in cues_of(
        "US hails 'Tremendous Progress'"
    )


def test_contraction_tail_is_not_a_cue():
    assert not [c for c in cues_of("They don't know.") if c[2].lower() == "t"]


@pytest.mark.parametrize("apostrophe", ["'", "’"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # LABELING.md's own limitations, contracted as quotes and op-eds write them.
        ("This isn{a}t a silver bullet for jobs.", ("limitation", "isn{a}t a silver bullet")),
        ("Aid isn{a}t a substitute for reform.", ("limitation", "isn{a}t a substitute for")),
        ("The text isn{a}t yet final.", ("limitation", "isn{a}t yet")),
        ("They haven{a}t yet signed it.", ("limitation", "haven{a}t yet")),
        ("The plan hasn{a}t fully worked.", ("limitation", "hasn{a}t fully")),
        ("That doesn{a}t mean the war is over.", ("limitation", "doesn{a}t mean")),
        ("It wasn{a}t clear who would pay.", ("uncertainty", "wasn{a}t clear")),
    ],
)
def test_contracted_negations_read_as_their_full_forms(text, expected, apostrophe):
    text = text.format(a=apostrophe)
    kind, cue = expected
    assert ("hedge", kind, cue.format(a=apostrophe)) in [c[:3] for c in cues_of(text)]


def test_a_contracted_not_yet_is_no_turn():
    # "yet" alone is a contrast where it opens a clause; after "isn't" it is "not yet".
    assert [c[:3] for c in cues_of("The deal isn't yet done.")] == [
        ("hedge", "limitation", "isn't yet")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # LABELING.md's "depends on" and "is expected to", with a word or two between.
        ("The outcome depends heavily on the weather.", ("condition", "depends heavily on")),
        ("Results depend, in part, on demand.", ("condition", "depend, in part, on")),
        (
            "Its success will depend not only on Kyiv but also on Moscow.",
            ("condition", "depend not only on"),
        ),
        ("The bill is also expected to pass.", ("uncertainty", "is also expected to")),
        ("The merger is not expected to close soon.", ("uncertainty", "is not expected to")),
        ("It is too soon to tell.", ("limitation", "too soon to")),
    ],
)
def test_a_hedge_phrase_holds_with_an_adverb_inside(text, expected):
    assert ("hedge", *expected) in [c[:3] for c in cues_of(text)]


def test_not_only_but_also_is_no_turn():
    # It adds a second fact; a turn qualifies the first ("Sales rose, but margins fell").
    assert not [c for c in cues_of("The firm grew not only in Asia but also in Europe.")]
    assert not [c for c in cues_of("It is not just cheaper, but also faster.")]
    for turn in ("Sales rose, but margins fell.", "The plan is cheap but also risky."):
        assert ("hedge", "contrast", "but") in [c[:3] for c in cues_of(turn)]
