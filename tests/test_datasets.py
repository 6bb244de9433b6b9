"""The corpus loaders: Szeged cue types mapped to caveat's hedge types."""

from collections import Counter

from training.datasets import _szeged_type, iter_szeged


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
