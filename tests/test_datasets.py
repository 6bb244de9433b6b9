"""The corpus loaders: Szeged cue types mapped to caveat's hedge types; our labels' strata."""

import json
from collections import Counter
from pathlib import Path

import pytest

from service.analysis.types import HEDGE_TYPES
from service.cli import LabelFileError
from training.datasets import (
    NATURAL_STRATA,
    NEWS_LABELS,
    NEWS_WEIGHT,
    SHELVED_STRATA,
    TARGETED_STRATA,
    TARGETED_WEIGHT,
    WRITTEN_LABELS,
    WRITTEN_WEIGHT,
    LabeledSentence,
    _szeged_type,
    domain_of,
    iter_news,
    iter_szeged,
    iter_written,
    marked_types,
    row_weight,
    szeged_article,
)
from training.import_written import convert_written
from training.import_written import main as import_written
from training.news_pool import BOUNDARY_STRATUM, split_of


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


@pytest.mark.parametrize(
    ("docid", "article"),
    [
        ("Socialized medicine_2208", "Socialized medicine"),
        ("Apollo 11_12", "Apollo 11"),
        ("BRP Quezon _LRB2_PS-70_RRB2__536", "BRP Quezon _LRB2_PS-70_RRB2_"),
        ("wiki.xml#3", "wiki.xml#3"),
    ],
)
def test_a_szeged_excerpt_belongs_to_its_article(docid, article):
    assert szeged_article(docid) == article


def test_szeged_wikipedia_splits_by_article_not_by_excerpt():
    # Excerpts of one article share its words: none may sit on both sides of the split.
    rows = list(iter_szeged("wiki"))
    docs = {s.doc for s in rows}
    assert not any(d[-1].isdigit() and "_" in d.rsplit(" ", 1)[-1] for d in docs)
    assert len(docs) == 4256  # 4,530 excerpts of 4,256 articles


def _row(corpus: str, stratum: str = "") -> LabeledSentence:
    return LabeledSentence("A sentence.", "doc", corpus, 0, 0, stratum=stratum)


def test_targeted_rows_train_at_their_own_weight_and_never_calibrate():
    assert row_weight(_row("news", "uniform")) == NEWS_WEIGHT
    assert row_weight(_row("news", "claim-rich")) == NEWS_WEIGHT
    assert row_weight(_row("news", BOUNDARY_STRATUM)) == NEWS_WEIGHT
    assert not _row("news", BOUNDARY_STRATUM).natural
    for stratum in TARGETED_STRATA:
        assert row_weight(_row("news", stratum)) == TARGETED_WEIGHT
        assert not _row("news", stratum).natural
    assert row_weight(_row("szeged-wiki"), other=2.5) == 2.5
    assert _row("news", "cue-rich").natural and not _row("news", "claim-rich").natural


def test_the_test_split_holds_only_the_first_draw():
    # The claim-rich, targeted and boundary draws come from train/dev documents only, so that
    # news test keeps the distribution of news as it comes; every record names a known stratum.
    with open(NEWS_LABELS, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    strata = Counter(r["stratum"] for r in records)
    assert set(strata) == NATURAL_STRATA | TARGETED_STRATA | {"claim-rich", BOUNDARY_STRATUM}
    assert {r["stratum"] for r in records if r["split"] == "test"} <= NATURAL_STRATA
    assert all(split_of(r["source"]) == r["split"] for r in records)
    assert len({r["id"] for r in records}) == len(records)


def test_written_sentences_train_like_targeted_news_and_never_calibrate():
    row = _row("written", "written")
    assert row_weight(row) == WRITTEN_WEIGHT and not row.natural
    assert marked_types("written") == marked_types("news") == frozenset(HEDGE_TYPES)
    assert domain_of("written") == "news" and domain_of("szeged-wiki") == "szeged-wiki"


def test_the_written_sentences_load_with_cues_inside_their_text():
    rows = list(iter_written(WRITTEN_LABELS))
    assert len(rows) == 1798 and len({s.text for s in rows}) == 1798
    assert len({s.doc for s in rows}) == 1798  # each sentence its own document
    # The three batches (w1-w4, w5-w8, w9-w12) in one file, ids in file order.
    assert [s.doc for s in rows] == [f"written:w{k:05d}" for k in range(1798)]
    for s in rows:
        assert s.corpus == "written" and s.stratum == "written"
        assert bool(s.types) == bool(s.hedge) and set(s.types) <= set(HEDGE_TYPES)
        assert bool(s.claim) == any(label == "claim" for *_, label, _ in s.cues)
        for a, b, label, kind in s.cues:
            assert 0 <= a < b <= len(s.text)
            assert (kind is None) == (label == "claim")
        assert set(s.types) <= {kind for *_, label, kind in s.cues if label == "hedge"}


#: A written sentence's raw labels, as a helper writes them.
RAW_WRITTEN = {
    "text": "The deal may be a landmark.",
    "claim": 1,
    "hedge": 1,
    "types": ["uncertainty"],
    "cues": [
        {"text": "landmark", "label": "claim", "type": None},
        {"text": "may", "label": "hedge", "type": "uncertainty"},
    ],
}


def test_convert_written_stores_offsets_of_verbatim_cues():
    record = convert_written(RAW_WRITTEN, "w00007", "w1")
    assert record["id"] == "w00007" and record["part"] == "w1"
    assert record["text"] == RAW_WRITTEN["text"]
    assert [(c["start"], c["end"], c["label"]) for c in record["cues"]] == [
        (9, 12, "hedge"),
        (18, 26, "claim"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"cues": [{"text": "milestone", "label": "claim", "type": None}]},  # not in the text
        {"types": []},  # a hedge without a type
        {"cues": [{"text": "may", "label": "hedge", "type": "uncertainty"}]},  # no claim cue
        {"types": ["uncertainty", "condition"]},  # a type without a cue
    ],
)
def test_convert_written_refuses_labels_it_would_have_to_guess(change):
    with pytest.raises(ValueError):
        convert_written({**RAW_WRITTEN, **change}, "w00000", "w1")


def test_import_written_appends_a_new_batch_after_the_records_it_keeps(tmp_path):
    def raw(name: str, texts: list[str]) -> Path:
        path = tmp_path / f"{name}.jsonl"
        rows = [{**RAW_WRITTEN, "text": t} for t in texts]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return path

    out = tmp_path / "written.jsonl"
    first = raw("w1", ["The deal may be a landmark.", "It may be a landmark win."])
    import_written([str(first), "--out", str(out)])
    kept = out.read_text(encoding="utf-8").splitlines()
    second = raw("w9", ["The pact may be a landmark."])
    import_written([str(second), "--out", str(out), "--append"])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == kept
    added = json.loads(lines[2])
    assert (added["id"], added["part"], added["text"]) == (
        "w00002",
        "w9",
        "The pact may be a landmark.",
    )
    # A sentence already in the file is refused (one line of error), not stored twice.
    before = out.read_bytes()
    with pytest.raises(SystemExit, match="twice"):
        import_written(
            [str(raw("w10", ["It may be a landmark win."])), "--out", str(out), "--append"]
        )
    assert out.read_bytes() == before
    assert out.read_text(encoding="utf-8").splitlines() == lines


def test_shelved_strata_are_read_only_when_asked_for(tmp_path):
    # The boundary draw is labeled and committed but not trained on (SHELVED_STRATA): every
    # reader of our news leaves it out unless it asks for it.
    with open(NEWS_LABELS, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    ptc = [r for r in records if r["source"].startswith("semeval2020-ptc:")]
    shelved = next(r for r in ptc if r["stratum"] in SHELVED_STRATA)
    used = next(r for r in ptc if r["stratum"] not in SHELVED_STRATA)
    labels = tmp_path / "news.jsonl"
    labels.write_text(json.dumps(shelved) + "\n" + json.dumps(used) + "\n", encoding="utf-8")
    assert [r["id"] for _, r in iter_news(labels)] == [used["id"]]
    every = list(iter_news(labels, leave_out=frozenset()))
    assert [r["id"] for _, r in every] == [shelved["id"], used["id"]]
    assert every[0][0].stratum == shelved["stratum"] and not every[0][0].natural


# --------------------------------------------------------------------------- bad label files


def _ptc_record() -> dict:
    """A committed news record of a PTC article (reading it needs no Reuters scan), with a
    hedge cue."""
    with open(NEWS_LABELS, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return next(
        r
        for r in records
        if r["source"].startswith("semeval2020-ptc:")
        and r["stratum"] not in SHELVED_STRATA
        and r["hedge"]
        and len(r["types"]) == 1
    )


def _drop(record: dict, key: str) -> dict:
    return {k: v for k, v in record.items() if k != key}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: _drop(r, "stratum"), "no 'stratum' field"),
        (lambda r: {**r, "split": "tset"}, "split 'tset' is none of train, dev, test"),
        (lambda r: {**r, "claim": 7}, "claim is 7, not 0 or 1"),
        (lambda r: {**r, "hedge": 2}, "hedge is 2, not 0 or 1"),
        (lambda r: {**r, "types": ["sarcasm"]}, "unknown hedge type 'sarcasm'"),
        (lambda r: {**r, "hedge": 0}, "hedge 0 with types"),
        (lambda r: {**r, "cues": []}, "without a cue of that type"),
        (
            lambda r: {**r, "claim": 1, "cues": [c for c in r["cues"] if c["label"] == "hedge"]},
            "claim 1 with 0 claim cue(s)",
        ),
        (
            lambda r: {
                **r,
                "claim": 0,
                "cues": [
                    *[c for c in r["cues"] if c["label"] == "hedge"],
                    {"start": r["start"], "end": r["start"] + 3, "label": "claim", "type": None},
                ],
            },
            "claim 0 with 1 claim cue(s)",
        ),
        (lambda r: {**r, "pass": "third"}, "pass 'third' is none of first, second"),
        (lambda r: {**r, "start": -5}, "not a span"),
        (
            lambda r: {**r, "cues": [{**r["cues"][0], "end": r["end"] + 10}]},
            "is not inside its sentence",
        ),
        (
            lambda r: {**r, "start": 10**7, "end": 10**7 + 40, "hedge": 0, "types": [], "cues": []},
            "run past the end of",
        ),
        (lambda r: {**r, "sha1": "0" * 40}, "no longer matches its label"),
        (lambda r: {**r, "source": "semeval2020-ptc:article0"}, "is not in the corpora"),
        (lambda r: {**r, "source": "nowhere:1"}, "is not in the corpora"),
    ],
)
def test_a_bad_news_record_is_named_by_file_line_and_id(tmp_path, change, problem):
    good = _ptc_record()
    bad = change({**good, "id": "n99999"})
    labels = tmp_path / "news.jsonl"
    labels.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n", encoding="utf-8")
    # Line 2 is blank (skipped); the bad record is on line 3.
    with pytest.raises(LabelFileError) as error:
        list(iter_news(labels))
    message = str(error.value)
    assert message.startswith(f"{labels}:3: ") and problem in message
    assert message.endswith("(id n99999)") and "\n" not in message


def test_a_news_record_twice_or_a_line_that_is_no_record_is_named(tmp_path):
    good = _ptc_record()
    labels = tmp_path / "news.jsonl"
    labels.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=r":2: the id is also on line 1 \(id n"):
        list(iter_news(labels))
    for line, problem in (("[1, 2]", "not a record: a JSON list"), ("{not json", "not JSON")):
        labels.write_text(json.dumps(good) + "\n" + line + "\n", encoding="utf-8")
        with pytest.raises(LabelFileError, match=f"^{labels}:2: {problem}"):
            list(iter_news(labels))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"claim": 7}, "claim is 7, not 0 or 1"),
        ({"types": ["uncertainty", "sarcasm"]}, "unknown hedge type 'sarcasm'"),
        ({"types": ["uncertainty", "condition"]}, "'condition' without a cue"),
        ({"cues": [{"start": 9, "end": 99, "label": "hedge", "type": "uncertainty"}]}, "inside"),
        ({"id": "w00000"}, "the id is also on line 1"),
        ({"id": "w00002", "text": "The deal may be a landmark."}, "the sentence is also on"),
    ],
)
def test_a_bad_written_record_is_named_by_file_line_and_id(tmp_path, change, problem):
    good = convert_written(RAW_WRITTEN, "w00000", "w1")
    other = convert_written({**RAW_WRITTEN, "text": "It may be a landmark win."}, "w00001", "w1")
    labels = tmp_path / "written.jsonl"
    rows = [good, {**other, **change}]
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(LabelFileError, match=f"^{labels}:2: .*{problem}"):
        list(iter_written(labels))


def test_every_committed_sentence_labels_file_passes_the_checks():
    from training.datasets import read_sentence_labels

    for name in ("news.jsonl", "news-second.jsonl", "news-boundary-second.jsonl", "written.jsonl"):
        assert read_sentence_labels(NEWS_LABELS.parent / name)
