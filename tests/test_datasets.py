"""The corpus loaders: Szeged cue types mapped to caveat's hedge types; our labels' strata."""

import json
from collections import Counter

from training.datasets import (
    NATURAL_STRATA,
    NEWS_LABELS,
    NEWS_WEIGHT,
    TARGETED_STRATA,
    TARGETED_WEIGHT,
    LabeledSentence,
    _szeged_type,
    iter_szeged,
    row_weight,
)
from training.news_pool import split_of


def test_raw_szeged_types_map_whatever_their_trailing_underscores():
    # The XML spells "speculation_hypo_condition _" (space, underscore) and
    # "speculation_modal_probable_": both must reach their type, not the default.
    assert _szeged_type("speculation_hypo_condition _") == "condition"
    assert _szeged_type("speculation_hypo_condition") == "condition"
    assert _szeged_type("speculation_modal_probable_") == "uncertainty"
    assert _szeged_type("speculation_hypo_doxastic _") == "uncertainty"
    assert _szeged_type(None) == "uncertainty"


def test_szeged_wikipedia_condition_cues_load_as_conditions():
    types = Counter(t for s in iter_szeged("wiki") for *_, t in s.cues)
    texts = {
        s.text[a:b].lower()
        for s in iter_szeged("wiki")
        for a, b, _, t in s.cues
        if t == "condition"
    }
    # 491 condition cues in wiki.xml ("if", "unless", ...), the rest epistemic or doxastic.
    assert types["condition"] == 491
    assert {"if", "unless"} <= texts


def _row(corpus: str, stratum: str = "") -> LabeledSentence:
    return LabeledSentence("A sentence.", "doc", corpus, 0, 0, stratum=stratum)


def test_targeted_rows_train_at_their_own_weight_and_never_calibrate():
    assert row_weight(_row("news", "uniform")) == NEWS_WEIGHT
    assert row_weight(_row("news", "claim-rich")) == NEWS_WEIGHT
    for stratum in TARGETED_STRATA:
        assert row_weight(_row("news", stratum)) == TARGETED_WEIGHT
        assert not _row("news", stratum).natural
    assert row_weight(_row("szeged-wiki"), other=2.5) == 2.5
    assert _row("news", "cue-rich").natural and not _row("news", "claim-rich").natural


def test_the_test_split_holds_only_the_first_draw():
    # The claim-rich and targeted draws come from train/dev documents only, so that news
    # test keeps the distribution of news as it comes; every record names a known stratum.
    with open(NEWS_LABELS, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    strata = Counter(r["stratum"] for r in records)
    assert set(strata) == NATURAL_STRATA | TARGETED_STRATA | {"claim-rich"}
    assert {r["stratum"] for r in records if r["split"] == "test"} <= NATURAL_STRATA
    assert all(split_of(r["source"]) == r["split"] for r in records)
    assert len({r["id"] for r in records}) == len(records)
