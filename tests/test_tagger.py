"""The learned hedge cue tagger, fitted on a small hand-written set (no corpora needed)."""

from __future__ import annotations

import io
import os
import pickle
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
import pytest

from service.analysis.cues import find_cues
from service.analysis.tagger import CueTagger, merge_cues

CLASSES = CueTagger().classes  # a hedge tagger's: O, then HEDGE_TYPES


def _span(text: str, cue: str, kind: str) -> tuple[int, int, str]:
    start = text.index(cue)
    return (start, start + len(cue), kind)


#: (sentence, [(cue text, type)]) written against LABELING.md.
EXAMPLES = [
    ("The merger may collapse next week.", [("may", "uncertainty")]),
    ("Prices may rise again.", [("may", "uncertainty")]),
    ("The vote may be delayed.", [("may", "uncertainty")]),
    ("May the talks succeed, he said.", []),
    ("The plant opened in May last year.", []),
    ("Sales fell in May.", []),
    ("The board met on May 20 to approve it.", []),
    ("Profits rose in May and June.", []),
    ("Theresa May spoke to reporters.", []),
    ("The firm might sell the unit.", [("might", "uncertainty")]),
    (
        "It is unclear whether the plan works.",
        [("unclear", "uncertainty"), ("whether", "uncertainty")],
    ),
    ("The pact holds only if Moscow agrees.", [("if", "condition")]),
    ("The deal is off unless funding arrives.", [("unless", "condition")]),
    ("Growth was strong, but risks remain.", [("but", "contrast")]),
    ("However, the vote was close.", [("However", "contrast")]),
    ("The minister reportedly resigned.", [("reportedly", "attribution")]),
    ("The company reported a profit.", []),
    ("The results were published on Monday.", []),
    ("It may or may not pass.", [("may or may not", "uncertainty")]),
    ("Officials said the plan would probably fail.", [("probably", "uncertainty")]),
    ("The bank may cut rates.", [("may", "uncertainty")]),
    ("Talks ended in May without a deal.", []),
]


@pytest.fixture(scope="module")
def tagger() -> CueTagger:
    texts = [text for text, _ in EXAMPLES]
    spans = [[_span(text, cue, kind) for cue, kind in cues] for text, cues in EXAMPLES]
    # Repeat the set so that a handful of sentences is enough for the regulariser.
    return CueTagger(min_count=1, min_ratio=0.0, C=10.0).fit(texts * 3, spans * 3)


def _found(tagger: CueTagger, text: str) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for a, b, kind, _ in tagger.spans([text])[0]]


def test_finds_modal_may(tagger):
    assert ("may", "uncertainty") in _found(tagger, "The deal may collapse")


def test_ignores_may_the_month(tagger):
    assert _found(tagger, "The plant closed in May.") == []
    assert _found(tagger, "Sales were flat in May 1987.") == []


def test_types_from_context(tagger):
    assert ("if", "condition") in _found(tagger, "The truce holds only if both sides agree.")
    assert ("However", "contrast") in _found(tagger, "However, the data were thin.")


def test_no_cue_in_a_plain_report(tagger):
    assert _found(tagger, "The company reported a profit on Monday.") == []


def test_adjacent_cue_tokens_form_one_span(tagger):
    assert ("may or may not", "uncertainty") in _found(tagger, "It may or may not pass.")


def test_spans_are_offsets_into_each_sentence_with_probabilities(tagger):
    texts = ["Sales fell in May.", "The bank may cut rates.", "", "Prices may rise again."]
    out = tagger.spans(texts)
    assert len(out) == len(texts)
    assert out[0] == [] and out[2] == []
    for text, spans in zip(texts, out, strict=True):
        for start, end, kind, prob in spans:
            assert 0 <= start < end <= len(text)
            assert kind in CLASSES[1:]
            assert tagger.threshold <= prob <= 1.0


def test_a_document_batch_equals_one_sentence_at_a_time(tagger):
    texts = [text for text, _ in EXAMPLES]
    batch = tagger.spans(texts)
    one_by_one = [tagger.spans([t])[0] for t in texts]
    assert [[s[:3] for s in b] for b in batch] == [[s[:3] for s in o] for o in one_by_one]


def test_accepts_the_cues_the_caller_already_found(tagger):
    texts = ["The bank may cut rates.", "Sales fell in May."]
    assert tagger.spans(texts, [find_cues(t) for t in texts]) == tagger.spans(texts)


def test_sentence_scores_per_type(tagger):
    scores = tagger.sentence_scores(["The bank may cut rates.", "The firm reported a profit."])
    assert scores.shape == (2, len(CLASSES) - 1)
    assert scores[0, CLASSES.index("uncertainty") - 1] > 0.5
    assert scores[1].max() < 0.5


def test_each_kinds_best_word_read_in_one_pass_is_the_token_by_token_maximum(tagger):
    texts = [
        "Growth was strong, but analysts say the rally may fade unless rates fall.",
        "The firm reported a profit.",
        "",
        "It is unclear whether the deal, reportedly close, will need approval.",
    ]
    spans, best, by_kind = tagger.tag(texts, by_kind=True)
    plain_spans, plain_best = tagger.tag(texts)  # the rest of the reading is the same
    assert spans == plain_spans and (best == plain_best).all()
    expected = np.zeros((len(texts), len(CLASSES) - 1))
    for k, (cand, _, _, proba) in enumerate(tagger.token_proba(texts)):
        if len(cand):
            expected[k] = proba[:, 1:].max(axis=0)
    assert expected[0].max() > 0.5 and not expected[2].any()
    np.testing.assert_array_equal(by_kind, expected)


def test_a_reading_of_some_kinds_sums_only_theirs(tagger):
    import copy

    texts = ["Growth was strong, but risks remain.", "The bank may cut rates."]
    spans, best = tagger.tag(texts)
    some = copy.copy(tagger)
    some.read_kinds = ("uncertainty", "condition")
    some_spans, some_best = some.tag(texts)
    assert some_spans == spans  # spans are decided on P(cue) of any kind either way
    # A contrast word is no reading of uncertainty or condition; "may" still is.
    assert best[0] > 0.5 and some_best[0] < 0.2
    assert some_best[1] > 0.5 and some_best[1] <= best[1]
    every = copy.copy(tagger)
    every.read_kinds = tagger.kinds
    np.testing.assert_allclose(every.tag(texts)[1], best)
    assert tagger.read_kinds is None  # the copies leave the tagger as it was


def test_empty_document(tagger):
    assert tagger.spans([]) == []
    assert tagger.sentence_scores([]).shape == (0, len(CLASSES) - 1)


def test_survives_joblib(tagger):
    buffer = io.BytesIO()
    joblib.dump(tagger, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)
    text = "The deal may collapse in May."
    assert restored.spans([text]) == tagger.spans([text])
    assert np.allclose(restored.coef_, tagger.coef_)


def test_szeged_rows_leave_unannotated_types_unknown():
    # "but" is a contrast cue in news; a corpus that does not annotate contrast cues must not
    # teach the tagger that "but" is no cue.
    news = [
        ("Growth was strong, but risks remain.", [("but", "contrast")]),
        ("Prices may rise.", [("may", "uncertainty")]),
        ("Sales fell in May.", []),
    ] * 3
    szeged = [("Small but fast, the bird flies far.", [])] * 10
    texts = [t for t, _ in news + szeged]
    spans = [[_span(t, c, k) for c, k in cues] for t, cues in news + szeged]
    known = [set(CLASSES[1:])] * 9 + [{"uncertainty", "condition"}] * 10
    tagger = CueTagger(min_count=1, min_ratio=0.0, C=10.0).fit(texts, spans, known)
    assert ("but", "contrast") in _found(tagger, "Sales rose, but costs rose faster.")


def _reported(text: str, spans) -> list[tuple[str, str, str | None]]:
    cues = merge_cues(text, find_cues(text), spans)
    return [(c.label, c.type, text[c.start : c.end]) for c in cues]


def test_a_lexicon_phrase_replaces_the_tagged_word_inside_it():
    text = "Officials said more work is needed to finalise the text."
    word = text.index("needed")
    spans = [(word, word + len("needed"), "limitation", 0.9)]
    assert _reported(text, spans) == [("hedge", "limitation", "more work is needed to finalise")]


def test_a_long_lexicon_phrase_stays_without_the_tagger():
    text = "The deal will then need Russia's agreement."
    assert _reported(text, []) == [("hedge", "condition", "will then need Russia's agreement")]


def test_short_lexicon_cues_give_way_to_the_tagger():
    # The lexicon reads "while" as a contrast and "suggests that" as uncertainty; here the
    # tagger marks only "suggests", and that is what is reported.
    text = "The data suggests that prices rose while the vote was held."
    at = text.index("suggests")
    spans = [(at, at + len("suggests"), "uncertainty", 0.8)]
    assert _reported(text, spans) == [("hedge", "uncertainty", "suggests")]


def test_claim_cues_win_over_an_overlapping_hedge_and_cues_never_overlap():
    text = "There is no doubt the talks were a historic breakthrough."
    at = text.index("doubt")
    cues = merge_cues(text, find_cues(text), [(at, at + 5, "uncertainty", 0.7)])
    assert [c.label for c in cues] == ["claim", "claim"]
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:], strict=False))


def test_the_claim_tagger_adds_boosters_only_where_no_other_cue_stands():
    text = "There is no doubt the summit was a truly great day, but it may fail."
    great, doubt, may = text.index("great"), text.index("doubt"), text.index("may")
    claim_spans = [
        (great, great + 5, "claim", 0.8),  # no lexicon cue there: added
        (doubt, doubt + 5, "claim", 0.7),  # inside the lexicon's "There is no doubt": dropped
        (may, may + 3, "claim", 0.6),  # where the hedge tagger marked "may": dropped
    ]
    cues = merge_cues(text, find_cues(text), [(may, may + 3, "uncertainty", 0.9)], claim_spans)
    shown = [(c.label, c.type, text[c.start : c.end]) for c in cues]
    assert ("claim", None, "great") in shown
    assert ("claim", None, "There is no doubt") in shown
    assert ("claim", None, "doubt") not in shown
    assert ("hedge", "uncertainty", "may") in shown and ("claim", None, "may") not in shown
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:], strict=False))
    # Without claim spans, the cues are those of the lexicon and the hedge tagger alone.
    alone = merge_cues(text, find_cues(text), [(may, may + 3, "uncertainty", 0.9)])
    assert [c for c in cues if text[c.start : c.end] != "great"] == alone


#: Feature strings of every shape the tagger builds: ASCII, non-ASCII, one character, a
#: bare "=", sentence edges, punctuation, digits.
HASHED_NAMES = [
    "b",
    "first",
    "cap-inner",
    "rx=none",
    "=",
    "w=",
    "w=may",
    "wc=may|C|0",
    "p1=<s>",
    "n2=</s>",
    "p2p1w=the|bank|may",
    "w.=if|,",
    "wnum=in",
    "rxm=more work is needed",
    "rxp=uncertaintyB",
    "w=straße",
    "w=i̇stanbul",
    "p1w=日本|may",
    "wn1=ǆ|ﬁnd",
    "w.=may|…",
    "rxw=claim-neg|no",
    *(f"w=word{k}" for k in range(300)),
]


def test_fast_hashing_gives_feature_hasher_columns():
    from sklearn.feature_extraction import FeatureHasher

    from service.analysis.tagger import hashed_column

    for n_features in (2**19, 2**10, 7):
        hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)
        X = hasher.transform([[name] for name in HASHED_NAMES])
        assert list(X.indices) == [hashed_column(name, n_features) for name in HASHED_NAMES]


@pytest.mark.parametrize("context", [1, 2])
def test_serving_rows_equal_the_feature_hasher_matrix(context):
    texts = [text for text, _ in EXAMPLES]
    spans = [[_span(text, cue, kind) for cue, kind in cues] for text, cues in EXAMPLES]
    tagger = CueTagger(min_count=1, min_ratio=0.0, C=10.0, context=context, n_features=2**8)
    tagger.fit(texts, spans)
    docs = [
        *texts,
        "İstanbul may İİ fall, if 5 straße; May 20 may.",
        "It may or may not pass: 日本 may, unless...",
        "",
    ]
    from service.analysis.tagger import _memos

    rows, out, indptr = [], [], [0]
    for text in docs:
        _words, starts, ends, low, tags, cand = tagger._sentence(text, None)
        rows += [tagger._features(i, low, tags, text, starts, ends) for i in cand]
        tagger._columns(cand, low, tags, text, starts, ends, _memos(2**8), out, indptr)
    expected = tagger._matrix(rows, np.float32)
    assert len(rows) == len(indptr) - 1 > 20
    for k in range(len(rows)):
        # Sorted columns, a column hit twice (a hash collision, frequent in 2**8) summed.
        row = slice(expected.indptr[k], expected.indptr[k + 1])
        counts = Counter(out[indptr[k] : indptr[k + 1]])
        assert list(expected.indices[row]) == sorted(counts)
        assert list(expected.data[row]) == [counts[c] for c in sorted(counts)]
    assert any(v > 1 for v in expected.data)  # collisions were exercised
    # And the probabilities are those of the FeatureHasher matrix, bit for bit.
    got = np.concatenate([p for *_, p in tagger.token_proba(docs)])
    assert got.tobytes() == tagger._scores(expected).tobytes()


#: (sentence, claim cue or None) written against LABELING.md: boosters, and the same words
#: where they boost nothing.
CLAIM_EXAMPLES = [
    ("Officials hailed a record harvest this year.", "record harvest"),
    ("The firm posted record profits in March.", "record profits"),
    ("Exports hit a record high in June.", "record high"),
    ("The clerk kept a record of every sale.", None),
    ("He has no criminal record.", None),
    ("The minister called it a historic breakthrough.", "historic breakthrough"),
    ("Talks ended without a deal.", None),
    ("The court kept the record sealed.", None),
]


@pytest.fixture(scope="module")
def claim_tagger() -> CueTagger:
    texts = [text for text, _ in CLAIM_EXAMPLES]
    spans = [[_span(text, cue, "claim")] if cue else [] for text, cue in CLAIM_EXAMPLES]
    return CueTagger(min_count=1, min_ratio=0.0, C=10.0, target="claim").fit(
        texts * 3, spans * 3
    )


def test_a_claim_tagger_has_one_cue_kind(claim_tagger):
    assert claim_tagger.classes == ("O", "claim")
    assert claim_tagger.coef_.shape[1] == 2


def test_a_claim_tagger_reads_record_as_a_booster_only_where_it_boosts(claim_tagger):
    texts = ["Shipments reached a record high.", "She broke no record and kept the record."]
    spans, best = claim_tagger.tag(texts)
    assert [(texts[0][a:b], kind) for a, b, kind, _ in spans[0]] == [("record high", "claim")]
    assert spans[1] == []
    assert best[0] > 0.5 > best[1]


def test_a_claim_tagger_takes_the_lexicon_claim_cues_as_candidates(claim_tagger, tagger):
    # "unprecedented" was never in a gold cue here, but the lexicon reads it as a booster, so
    # the claim tagger reads it too.
    text = "It was an unprecedented rally."
    assert any(c.label == "claim" for c in find_cues(text))
    _, _, _, low, _, cand = claim_tagger._sentence(text, None)
    assert "unprecedented" in {low[i] for i in cand}
    # The hedge tagger's candidates from the lexicon are its hedges, never boosters.
    _, _, _, low, _, cand = tagger._sentence(text, None)
    assert "unprecedented" not in {low[i] for i in cand}


@pytest.mark.parametrize(
    "text", ["This is not a historic breakthrough.", "Is it really an unprecedented rally?"]
)
def test_a_negated_or_questioned_booster_is_no_claim_candidate(claim_tagger, text):
    # LABELING.md: a negated or questioned booster boosts nothing, even a word the claim tagger
    # learned ("historic", "breakthrough") or the lexicon knows ("unprecedented").
    assert [c.negated for c in find_cues(text) if c.label == "claim"] == [True]
    _, _, _, _, _, cand = claim_tagger._sentence(text, None)
    assert cand == []
    spans, best = claim_tagger.tag([text])
    assert spans == [[]] and best[0] == 0.0


@pytest.mark.parametrize(
    "text", ["There is no doubt that the plan is working.", "The results are beyond doubt."]
)
def test_a_word_of_a_booster_is_no_hedge_candidate(tagger, text):
    # LABELING.md lists "there is no doubt" as a certainty booster: its "doubt" doubts
    # nothing, though "doubt" alone is a hedge candidate (the lexicon reads it so).
    assert [c.label for c in find_cues(text)] == ["claim"]
    _, _, _, low, _, cand = tagger._sentence(text, None)
    assert "doubt" not in {low[i] for i in cand}
    _, _, _, low, _, cand = tagger._sentence("Some doubt remains.", None)
    assert "doubt" in {low[i] for i in cand}


def test_a_word_left_out_of_the_candidates_is_none_by_its_counts_alone():
    # Gold claim cues that open with their article ("a record high"), as written cues do:
    # "a" is then inside a gold cue often enough to be a candidate by its counts. Left out,
    # it is one only where the lexicon reads it as part of a booster ("a major milestone").
    texts = [text for text, _ in CLAIM_EXAMPLES]
    spans = [
        [_span(text, "a " + cue if "a " + cue in text else cue, "claim")] if cue else []
        for text, cue in CLAIM_EXAMPLES
    ]
    kept = CueTagger(min_count=1, min_ratio=0.0, target="claim").fit(texts, spans)
    left_out = CueTagger(min_count=1, min_ratio=0.0, target="claim", not_candidates=("a",))
    left_out.fit(texts, spans)
    assert "a" in kept.candidates_
    assert left_out.candidates_ == kept.candidates_ - {"a"}
    _, _, _, low, _, cand = left_out._sentence("The deal marks a major milestone.", None)
    assert "a" in {low[i] for i in cand}
    _, _, _, _, _, cand = left_out._sentence("A man walked a dog.", None)
    assert cand == []


def test_pickles_to_the_same_bytes_whatever_the_hash_seed(tmp_path):
    # The candidate words are a frozenset, which pickled in hash order: each training run (a
    # new PYTHONHASHSEED) wrote other bytes, so the manifest's sha256 of a rebuilt tagger
    # never matched. Fit and pickle the same tagger in two processes with other seeds.
    import subprocess
    import sys

    script = (
        "import pickle, sys\n"
        "from tests.test_tagger import EXAMPLES, _span\n"
        "from service.analysis.tagger import CueTagger\n"
        "texts = [t for t, _ in EXAMPLES]\n"
        "spans = [[_span(t, c, k) for c, k in cues] for t, cues in EXAMPLES]\n"
        "tagger = CueTagger(min_count=1, min_ratio=0.0, C=10.0).fit(texts * 3, spans * 3)\n"
        "sys.stdout.buffer.write(pickle.dumps(tagger, protocol=5))\n"
    )
    root = Path(__file__).resolve().parents[1]
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    ]
    assert outputs[0] == outputs[1] == outputs[2]
    restored = pickle.loads(outputs[0])
    assert isinstance(restored.candidates_, frozenset) and "may" in restored.candidates_


def test_pickling_leaves_the_tagger_as_it_was(tagger):
    before = tagger.candidates_
    pickle.dumps(tagger)
    assert tagger.candidates_ is before


def test_reads_a_tagger_pickled_with_a_frozenset_of_candidates(tagger):
    # Taggers pickled before the candidates were sorted hold the frozenset itself.
    state = dict(tagger.__dict__)
    old = CueTagger.__new__(CueTagger)
    old.__setstate__(state)
    assert old.candidates_ == tagger.candidates_
    text = "The merger may collapse next week."
    assert old.spans([text]) == tagger.spans([text])
