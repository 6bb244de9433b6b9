"""Property tests of the analyzer with the committed model: arbitrary Unicode, any size.

For every text: no exception; sentence and cue offsets slice to their text exactly;
sentences are in order, do not overlap and never start or end with whitespace;
probabilities are in [0, 1]; the balance score is in [0, 1], or None when nothing is
flagged as a claim; links point at sentences that exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROJECT = Path(__file__).resolve().parents[1]

#: Words and marks the cue lexicon and the segmenter react to, mixed into random text so
#: that cues, boundaries and links are actually exercised.
_WORDS = [
    "tremendous progress", "historic", "breakthrough", "clearly", "will transform",
    "may", "might", "could", "however", "but", "although", "if", "unless", "reportedly",
    "critics argue", "more work is needed", "not yet", "no doubt", "the might of",
    "U.S.", "Dr.", "5.93", "...", "?", "!", ".", "。", "\n", "\n\n", " ", "\t", '"', "'",
    "\u200b", "\u202e", "\u0301", "\x00", "\r\n", "\u2028", "é", "ß", "İ", "ﬁ", "🎉",
]  # fmt: skip

#: Surrogates cannot reach the analyzer (JSON and UTF-8 both refuse them): exclude them.
_CHARS = st.characters(blacklist_categories=("Cs",))
_TEXTS = st.one_of(
    st.text(_CHARS, max_size=300),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_CHARS, max_size=12)), max_size=120).map(
        "".join
    ),
    st.lists(st.sampled_from(_WORDS), max_size=400).map(" ".join),
)


@pytest.fixture(scope="module")
def analyzer():
    """The analyzer around the committed model (the same one `make run` serves)."""
    from service.analysis.analyzer import Analyzer
    from service.analysis.model import load_model

    return Analyzer(load_model(PROJECT / "models"))


def _check(text: str, title: str | None, analysis) -> None:
    previous_end = 0
    for k, sentence in enumerate(analysis.sentences):
        assert sentence.index == k
        assert 0 <= sentence.start < sentence.end <= len(text)
        assert sentence.start >= previous_end
        previous_end = sentence.end
        assert text[sentence.start : sentence.end] == sentence.text
        assert not sentence.text[0].isspace() and not sentence.text[-1].isspace()
        _check_scores(sentence)
        for cue in sentence.cues:
            assert sentence.start <= cue.start < cue.end <= sentence.end
            assert text[cue.start : cue.end] == cue.text
    if analysis.title is not None:
        assert title is not None
        assert title[analysis.title.start : analysis.title.end] == analysis.title.text
        _check_scores(analysis.title)
        for cue in analysis.title.cues:
            assert title[cue.start : cue.end] == cue.text
    indices = {s.index for s in analysis.sentences} | (
        {analysis.title.index} if analysis.title is not None else set()
    )
    for link in analysis.links:
        assert link.claim in indices and link.hedge in indices
        assert 0.0 <= link.strength <= 1.0
    balance = analysis.balance
    claims = [s for s in analysis.sentences if s.claim.flagged]
    if analysis.title is not None and analysis.title.claim.flagged:
        claims.append(analysis.title)
    assert (balance.score is None) == (not claims)
    if balance.score is None:
        assert balance.label == "no-claims"
    else:
        assert 0.0 <= balance.score <= 1.0
    assert 0 <= balance.qualified_claims <= balance.claims


def _check_scores(sentence) -> None:
    assert 0.0 <= sentence.claim.probability <= 1.0
    assert 0.0 <= sentence.hedge.probability <= 1.0
    assert isinstance(sentence.claim.flagged, bool) and isinstance(sentence.hedge.flagged, bool)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=_TEXTS, title=st.one_of(st.none(), _TEXTS))
def test_any_text_is_analysed_with_exact_offsets_and_scores_in_range(analyzer, text, title):
    _check(text, title, analyzer.analyze(text, title=title, doc_id="d"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_TEXTS, min_size=1, max_size=6), explain=st.booleans())
def test_a_batch_is_analysed_document_by_document(analyzer, texts, explain):
    analyses = analyzer.analyze_many([(t, None, str(k)) for k, t in enumerate(texts)], explain)
    assert [a.id for a in analyses] == [str(k) for k in range(len(texts))]
    for text, analysis in zip(texts, analyses, strict=True):
        _check(text, None, analysis)
        assert analysis == analyzer.analyze(text, doc_id=analysis.id, explain=explain)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=30).map(" ".join),
    size=st.integers(min_value=1_000, max_value=60_000),
)
def test_large_texts_keep_exact_offsets(analyzer, unit, size):
    text = (unit * (size // max(1, len(unit)) + 1))[:size]
    _check(text, None, analyzer.analyze(text))
