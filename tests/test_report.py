"""python -m service.report: label and score counts, one-sided share by period, unqualified cues;
and training.report's domain thresholds (chosen without test documents)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from service.report import build, main, parse_date, read_records, render
from tests.conftest import MODELS_DIR, PROJECT
from training.datasets import LabeledSentence, iter_szeged
from training.domain import out_of_fold, szeged_folds
from training.metrics import label_metrics
from training.news_pool import split_of
from training.report import (
    DOMAIN_METHOD,
    Caveat,
    choose_hedge_threshold,
    choose_tagger_threshold,
    claim_cue_token_scores,
    reported_hedge_cues,
    tuning_mask,
)


def sentence(index: int, claim: bool = False, hedge: bool = False, cues: tuple = ()) -> dict:
    """A sentence of an analysis; cues are (label, text) pairs."""
    return {
        "index": index,
        "start": 0,
        "end": 10,
        "text": "x" * 10,
        "paragraph": 0,
        "claim": {"probability": 0.9 if claim else 0.1, "flagged": claim},
        "hedge": {"probability": 0.9 if hedge else 0.1, "flagged": hedge, "types": []},
        "cues": [
            {"label": label, "type": None if label == "claim" else "uncertainty",
             "start": 0, "end": len(text), "text": text}
            for label, text in cues
        ],
    }  # fmt: skip


def analysis(
    doc_id: str,
    label: str,
    score: float | None,
    date: str | None = None,
    sentences: list | None = None,
    links: list | None = None,
    title: dict | None = None,
) -> dict:
    """An OUT record as service.batch writes it."""
    record = {
        "id": doc_id,
        "model": {"name": "caveat", "version": "1.1.0"},
        "balance": {
            "score": score,
            "label": label,
            "claims": 1,
            "hedges": 0,
            "qualified_claims": 0,
            "summary": "...",
        },
        "sentences": sentences or [],
        "links": links or [],
        "title": title,
    }
    return record if date is None else {"id": doc_id, "date": date, **record}


RECORDS = [
    # March: two articles with claims, one of them one-sided; one without claims.
    analysis(
        "a",
        "one-sided",
        0.0,
        "1987-03-02",
        sentences=[
            sentence(0, claim=True, cues=(("claim", "Historic"), ("hedge", "may"))),
            sentence(1, claim=True, cues=(("claim", "a  record"),)),
        ],
    ),
    analysis(
        "b",
        "balanced",
        0.95,
        "1987-03-20T10:00:00",
        sentences=[sentence(0, claim=True, cues=(("claim", "historic"),)), sentence(1, hedge=True)],
        links=[{"claim": 0, "hedge": 1, "strength": 0.95}],
        title=sentence(-1, claim=True, cues=(("claim", "breakthrough"),)),
    ),
    analysis("c", "no-claims", None, "1987-03-31"),
    # April: one claim-making article, partly qualified; a claim sentence without cues.
    analysis(
        "d",
        "partly-qualified",
        0.4,
        "1987-04-01",
        sentences=[sentence(0, claim=True), sentence(1, claim=True, cues=(("claim", "historic"),))],
        links=[{"claim": 1, "hedge": 1, "strength": 0.4}],
    ),
    # Undated, and an error record.
    analysis("e", "one-sided", 0.1, None, sentences=[sentence(0, claim=False)]),
    {"id": None, "line": 9, "error": {"code": "invalid_json", "message": "...", "details": {}}},
]


def test_counts_labels_and_errors():
    report = build(RECORDS)
    assert (report.articles, report.errors) == (5, 1)
    assert dict(report.labels) == {
        "one-sided": 2,
        "balanced": 1,
        "no-claims": 1,
        "partly-qualified": 1,
    }


def test_bins_scores_by_tenths_leaving_out_no_claims():
    report = build(RECORDS)
    assert report.histogram == [1, 1, 0, 0, 1, 0, 0, 0, 0, 1]


def test_score_one_falls_in_the_last_bin():
    report = build([analysis("x", "balanced", 1.0)])
    assert report.histogram[-1] == 1


def test_one_sided_share_by_month_counts_claim_making_articles():
    report = build(RECORDS, by="month")
    summary = {k: (p.articles, p.claiming, p.one_sided) for k, p in report.periods.items()}
    assert summary == {"1987-03": (3, 2, 1), "1987-04": (1, 1, 0)}
    assert report.periods["1987-03"].share == 0.5
    assert report.undated == 1


def test_auto_periods_are_days_for_a_short_span():
    report = build(RECORDS)
    assert report.by == "day"
    assert len(report.periods) == 31  # 2 March .. 1 April, empty days included
    assert report.periods["1987-03-20"].one_sided == 0
    assert report.periods["1987-03-02"].share == 1.0


def test_auto_periods_are_months_for_a_long_span():
    records = [
        analysis("x", "one-sided", 0.0, "1987-02-26"),
        analysis("y", "balanced", 1, "1987-10-19"),
    ]
    report = build(records)
    assert report.by == "month"
    assert list(report.periods) == [f"1987-{m:02d}" for m in range(2, 11)]


def test_unqualified_claim_cues_skip_linked_claims_and_hedge_cues():
    report = build(RECORDS)
    # a: both claims unlinked; b: claim 0 linked, its title claim not; d: claim 1 linked.
    assert dict(report.cues) == {"historic": 1, "a record": 1, "breakthrough": 1}
    assert report.unqualified_claims == 4  # d's claim 0 has no cue but still counts


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1987-03-02", "1987-03-02"), ("1987-03-02T10:00:00Z", "1987-03-02"), ("26-FEB-1987", None),
     (None, None), (19870302, None)],
)  # fmt: skip
def test_parse_date_reads_iso_8601_only(value, expected):
    parsed = parse_date(value)
    assert (parsed.isoformat() if parsed else None) == expected


def test_summaries_count_everything_but_cues():
    summaries = [
        {
            "id": r["id"],
            "date": r.get("date"),
            "balance": r["balance"],
            "n_sentences": 2,
            "n_links": 0,
        }
        for r in RECORDS[:5]
    ]
    report = build(summaries, by="month")
    assert (report.articles, report.full) == (5, 0)
    assert report.periods["1987-03"].one_sided == 1
    assert "needs the full analyses" in render(report)


def test_render_prints_the_counts():
    text = render(build(RECORDS, by="month"), "out.jsonl")
    assert "5 articles analysed, 1 error records" in text
    assert "  one-sided               2   40.0%" in text
    assert "  1987-03         3 articles       2 with claims       1 one-sided   50.0%" in text
    assert "        1  historic" in text


def write_records(path: Path, records: list[dict]) -> Path:
    """An OUT file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_read_records_counts_a_half_written_line(tmp_path):
    path = write_records(tmp_path / "out.jsonl", RECORDS)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"id": "half')
    records, unreadable = read_records(path)
    assert (len(records), unreadable) == (6, 1)


def test_lines_that_are_no_records_are_counted_not_a_traceback(tmp_path, capsys):
    # The batch's input instead of its output, bytes that are not UTF-8, JSON of another
    # shape, nesting too deep to parse: each is one line that is not a record.
    path = write_records(tmp_path / "out.jsonl", RECORDS)
    with open(path, "ab") as fh:
        fh.write(b'{"id": "in-1", "text": "It may work."}\n')
        fh.write(b"\xff\xfe not text\n")
        fh.write(b"[1, 2]\n")
        fh.write(b'{"balance": {"label": "lopsided", "score": 0.5}}\n')
        fh.write(b'{"balance": {"label": "balanced", "score": 7}}\n')
        fh.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
    records, unreadable = read_records(path)
    assert (len(records), unreadable) == (len(RECORDS), 6)
    assert main([str(path)]) == 0
    assert "5 articles analysed, 1 error records, 6 unreadable lines" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("png", "message"),
    [
        ("nodir/report.png", "does not exist: make it first"),
        (".", "is a folder"),
        ("report.jpgg", "does not end in .png"),
    ],
)
def test_a_png_path_that_cannot_be_written_is_a_usage_error(tmp_path, capsys, png, message):
    path = write_records(tmp_path / "out.jsonl", RECORDS)
    with pytest.raises(SystemExit) as stop:
        main([str(path), "--png", str(tmp_path / png)])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_file_with_no_record_at_all_is_an_error(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "The batch input, not its output."}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="none of the 1 lines .* is a record"):
        main([str(path)])


def test_main_prints_the_report_and_writes_a_png(tmp_path, capsys):
    path = write_records(tmp_path / "out.jsonl", RECORDS)
    png = tmp_path / "report.png"
    assert main([str(path), "--png", str(png), "--by", "month"]) == 0
    out = capsys.readouterr().out
    assert "5 articles analysed, 1 error records" in out
    assert "4 claim sentences with no linked caveat, in 5 analyses" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000


def test_main_plots_records_without_dates(tmp_path):
    path = write_records(tmp_path / "out.jsonl", [analysis("x", "one-sided", 0.0)])
    png = tmp_path / "report.png"
    assert main([str(path), "--png", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- training.report
# Domain thresholds: chosen on Szeged train + dev documents (out of fold), never on test.

GRID = [round(t, 2) for t in np.arange(0.05, 0.951, 0.01)]


def docs_of(split: str, n: int, corpus: str = "szeged-wiki") -> list[str]:
    """``n`` document ids that ``news_pool.split_of`` puts in ``split``."""
    found, k = [], 0
    while len(found) < n:
        doc = f"{corpus}:doc{k}"
        if split_of(doc) == split:
            found.append(doc)
        k += 1
    return found


def szeged_row(doc: str, hedge: int, text: str = "It may rain.", cues=()) -> LabeledSentence:
    return LabeledSentence(text, doc, doc.split(":")[0], None, hedge, (), tuple(cues))


def best_on(rows, p, splits) -> tuple[float, float]:
    """Brute force: the grid threshold with the best F1 on rows of ``splits`` documents."""
    keep = [i for i, s in enumerate(rows) if split_of(s.doc) in splits]
    y, q = [rows[i].hedge for i in keep], np.asarray(p)[keep]
    f1 = [label_metrics(y, q, t)["f1"] for t in GRID]
    return GRID[int(np.argmax(f1))], max(f1)


def test_hedge_threshold_ignores_test_documents():
    # Train/dev: hedges at 0.8, non-hedges at 0.5 -> any threshold in (0.5, 0.8] is perfect.
    # Test: hedges at 0.45, which a threshold chosen on all rows would reach down to.
    rows, p = [], []
    for doc in docs_of("train", 10) + docs_of("dev", 10):
        rows += [szeged_row(doc, 1), szeged_row(doc, 0)]
        p += [0.8, 0.5]
    for doc in docs_of("test", 30):
        rows.append(szeged_row(doc, 1))
        p.append(0.45)
    threshold, tuning = choose_hedge_threshold(rows, p)
    assert threshold == 0.51
    assert (tuning["n"], tuning["documents"], tuning["f1"]) == (40, 20, 1.0)
    # The test rows would have moved it: the check above can tell the two apart.
    assert best_on(rows, p, ("train", "dev", "test"))[0] <= 0.45
    # Nothing about the test rows (labels or scores) changes the choice.
    flipped = [szeged_row(s.doc, 1 - s.hedge) if split_of(s.doc) == "test" else s for s in rows]
    noisy = [0.99 if split_of(s.doc) == "test" else q for s, q in zip(rows, p, strict=True)]
    assert choose_hedge_threshold(flipped, noisy)[0] == threshold


def test_hedge_threshold_maximises_f1_on_the_tuning_rows():
    rng = np.random.default_rng(7)
    docs = docs_of("train", 60) + docs_of("dev", 20) + docs_of("test", 20)
    rows, p = [], []
    for doc in docs:
        for _ in range(5):
            hedge = int(rng.random() < 0.15)
            rows.append(szeged_row(doc, hedge))
            # Test rows scored against their labels: choosing on them would pick otherwise.
            signal = 1 - hedge if split_of(doc) == "test" else hedge
            p.append(float(np.clip(0.3 * signal + rng.normal(0.45, 0.15), 0, 1)))
    threshold, tuning = choose_hedge_threshold(rows, p)
    best, best_f1 = best_on(rows, p, ("train", "dev"))
    assert (threshold, tuning["f1"]) == (best, best_f1)
    keep = tuning_mask(rows)
    y, q = np.array([s.hedge for s in rows])[keep], np.asarray(p)[keep]
    assert all(tuning["f1"] >= label_metrics(y, q, t)["f1"] for t in GRID)
    assert threshold != best_on(rows, p, ("train", "dev", "test"))[0]


def test_dev_only_threshold_uses_dev_documents_alone():
    rows, p = [], []
    for doc in docs_of("dev", 10):  # dev: perfect between 0.3 and 0.6
        rows += [szeged_row(doc, 1), szeged_row(doc, 0)]
        p += [0.6, 0.3]
    for doc in docs_of("train", 30):  # train: hedges only reached at 0.2
        rows.append(szeged_row(doc, 1))
        p.append(0.2)
    assert choose_hedge_threshold(rows, p, splits=("dev",))[0] == 0.31
    assert choose_hedge_threshold(rows, p)[0] <= 0.2  # train + dev: down to the train hedges


def test_tuning_on_test_documents_is_refused():
    rows = [szeged_row(docs_of("test", 1)[0], 1)]
    with pytest.raises(ValueError, match="never chosen on test"):
        tuning_mask(rows, ("dev", "test"))
    with pytest.raises(ValueError, match="no rows"):
        choose_hedge_threshold(rows, [0.9])


def test_tagger_threshold_maximises_cue_token_f1_without_test_documents():
    text = "It may well rain."  # tokens: It may well rain
    gold = ((3, 6, "hedge", "uncertainty"),)  # "may"
    rows = [szeged_row(d, 1, text, gold) for d in docs_of("train", 3) + docs_of("dev", 3)]
    rows += [szeged_row(d, 1, text, gold) for d in docs_of("test", 20)]
    proba = np.tile([0.0, 0.9, 0.9, 0.0, 0.0, 0.0, 0.0], (len(rows), 1))  # uncertainty
    may, may_well, nothing = [(3, 6, "uncertainty")], [(3, 11, "uncertainty")], []
    tuning_rows = [split_of(s.doc) != "test" for s in rows]
    hedges_at = {
        # At 0.3 the tagger adds "well" on train/dev rows, and is right only on test rows
        # (whose gold we pretend is unknown to the choice).
        0.3: [may_well if keep else may for keep in tuning_rows],
        0.5: [may if keep else nothing for keep in tuning_rows],
        0.7: [nothing] * len(rows),
    }
    threshold, tuning = choose_tagger_threshold(
        rows, proba, hedges_at, 0.5, [0.5] * 5, types=frozenset({"uncertainty", "condition"})
    )
    assert threshold == 0.5
    assert tuning["rows"] == 6
    assert tuning["f1_by_threshold"] == {"0.3": 0.6667, "0.5": 1.0, "0.7": 0.0}
    assert tuning["f1"] == max(tuning["f1_by_threshold"].values())
    # Below the hedge threshold no cue counts, whatever the tagger says.
    low = proba.copy()
    low[:, 1] = 0.2
    assert choose_tagger_threshold(rows, low, hedges_at, 0.5, [0.5] * 5)[1]["f1"] == 0.0


def test_claim_cue_tokens_count_the_claim_taggers_boosters_beside_the_lexicons():
    # The committed model flags both as claims; the lexicon has no booster in the first, the
    # claim tagger reads "great". Gold marks "truly great" and "historic breakthrough".
    first, second = "This is a truly great day for our workers.", "A historic breakthrough."
    rows = [
        LabeledSentence(first, "n:1", "news", 1, 0, (), ((10, 21, "claim", None),)),
        LabeledSentence(second, "n:2", "news", 1, 0, (), ((2, 23, "claim", None),)),
    ]
    scores = claim_cue_token_scores(rows, Caveat(MODELS_DIR))
    # Shown: great, historic, breakthrough (3 of the 4 gold tokens, no false one).
    assert scores["shown"] == {"precision": 1.0, "recall": 0.75, "f1": 0.8571}
    # The lexicon alone: historic, breakthrough.
    assert scores["lexicon_only"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}


def news_row(doc: str) -> LabeledSentence:
    return LabeledSentence("Talks went well.", doc, "news", 0, 0)


def test_szeged_folds_hold_out_whole_documents_and_never_news():
    docs = docs_of("train", 12) + docs_of("dev", 4) + docs_of("train", 6, "szeged-bio")
    rows = [news_row(f"reuters21578:{k}") for k in range(5)]
    rows += [szeged_row(doc, k % 2) for doc in docs for k in range(3)]
    held_count = np.zeros(len(rows), dtype=int)
    for fitted, held in szeged_folds(rows, folds=5):
        assert not {rows[i].doc for i in fitted} & {rows[i].doc for i in held}
        assert all(rows[i].corpus != "news" for i in held)
        assert set(range(5)) <= set(fitted.tolist())
        held_count[held] += 1
    assert held_count.tolist() == [0] * 5 + [1] * (len(rows) - 5)


def test_szeged_folds_always_fit_our_written_sentences():
    # A written sentence belongs to no split (its id may hash to "test"): it is a training
    # row in every fold, never held out, and never taken for a test document.
    written = [
        LabeledSentence("Talks went well.", f"written:w{k:05d}", "written", 1, 0)
        for k in range(40)
    ]
    assert any(split_of(s.doc) == "test" for s in written)
    rows = written + [szeged_row(d, k % 2) for d in docs_of("train", 10) for k in range(2)]
    for fitted, held in szeged_folds(rows, folds=5):
        assert set(range(40)) <= set(fitted.tolist())
        assert all(rows[i].corpus == "szeged-wiki" for i in held)


def test_szeged_folds_refuse_test_documents():
    rows = [szeged_row(d, 1) for d in docs_of("train", 5) + docs_of("test", 1)]
    with pytest.raises(ValueError, match="test documents"):
        list(szeged_folds(rows, folds=5))


def test_out_of_fold_scores_each_row_with_a_model_fitted_without_its_document():
    docs = docs_of("train", 10) + docs_of("dev", 5)
    rows = [news_row("reuters21578:1")] + [szeged_row(d, 1) for d in docs for _ in range(2)]
    fitted_docs: list[set[str]] = []

    @dataclasses.dataclass
    class Fold:
        """A fold model whose every probability is its fold's number (``in_domain`` replaces
        its tagger with a copy reading the corpus's kinds)."""

        k: int
        heads: object = dataclasses.field(
            default_factory=lambda: SimpleNamespace(target_domain="news", domain_coef_={})
        )
        tagger: object = dataclasses.field(default_factory=SimpleNamespace)

        def predict(self, texts, cues):
            n = len(texts)
            return SimpleNamespace(
                proba=np.full((n, 7), float(self.k)), X=np.zeros((n, 1)), cue_max=np.zeros(n)
            )

        def head_scores(self, X):
            return np.full((X.shape[0], 7), float(self.k))

    def fit(model, rows_, X, fitted):
        fitted_docs.append({rows_[i].doc for i in fitted})
        return Fold(len(fitted_docs) - 1)

    model = SimpleNamespace(
        features=SimpleNamespace(transform=lambda texts: np.zeros((len(texts), 1))),
        heads=SimpleNamespace(heads_=[None] * 7),
    )
    oof = out_of_fold(model, rows, folds=5, fit=fit, n_jobs=1)
    assert len(fitted_docs) == 5
    for proba in (oof["proba"], oof["domain_proba"], oof["domain_readings"]):
        assert np.isnan(proba[0]).all()  # news: always fitted, never scored
        for s, p in zip(rows[1:], proba[1:], strict=True):
            assert s.doc not in fitted_docs[int(p[0 if proba.shape[1] == 2 else 1])]


def test_a_corpus_reading_keeps_the_tagger_words_inside_a_phrase_of_a_kind_it_never_marks():
    from service.analysis.cues import find_cues

    text = "It is believed that the city was founded by Romans."
    lexicon = [find_cues(text)]
    assert [(c.type, text[c.start : c.end]) for c in lexicon[0]] == [
        ("attribution", "It is believed")
    ]
    start = text.index("believed")
    spans = [[(start, start + len("believed"), "uncertainty", 0.8)]]
    # As served, the lexicon's phrase takes the words; read as Szeged (which marks the belief
    # verb, never attribution), the tagger's cue stands.
    assert reported_hedge_cues([text], lexicon, spans) == [[(0, 14, "attribution")]]
    assert reported_hedge_cues([text], lexicon, spans, ("condition", "uncertainty")) == [
        [(start, start + 8, "uncertainty")]
    ]


def test_committed_report_says_how_domain_thresholds_were_chosen():
    report = json.loads((PROJECT / "docs" / "evaluation.json").read_text(encoding="utf-8"))
    manifest = json.loads(
        (MODELS_DIR / f"caveat-{report['model']}.json").read_text(encoding="utf-8")
    )
    block = report["domain_thresholds"]
    assert block["method"] == DOMAIN_METHOD
    for part in ("wiki", "bio"):
        name = f"szeged-{part}-test"
        assert block[name]["shipped"]["threshold"] == manifest["thresholds"]["hedge"]
        # Chosen on every sentence of the corpus outside its test documents, and on no other.
        outside_test = sum(split_of(s.doc) != "test" for s in iter_szeged(part))
        assert block[name]["out_of_fold"]["tuning"]["n"] == outside_test
        assert block[name]["out_of_fold_combiner"]["tuning"]["n"] == outside_test
        assert set(block[name]["combiner"]) == {"head", "cue", "bias", "none"}
        sets = report["sets"][name]["caveat"]["hedge"]
        assert block[name]["shipped"]["test"] == {k: v for k, v in sets.items() if k != "interval"}
        # The set's own row carries a bootstrap interval over its documents, around its F1.
        lo, hi = sets["interval"]["f1"]
        assert lo < sets["f1"] < hi
    cues = block["cue_tokens"]["szeged-wiki-test"]
    by_threshold = cues["tuning"]["f1_by_threshold"]
    assert by_threshold[str(cues["tagger_threshold"])] == max(by_threshold.values())
    assert cues["shipped"] == report["cue_tokens"]["szeged-wiki-test"]
    markdown = (PROJECT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    assert DOMAIN_METHOD in markdown


def test_evaluate_report_writes_the_json_and_its_tables_beside_it(tmp_path, monkeypatch, capsys):
    import training.report
    from training.evaluate import main as evaluate_main

    monkeypatch.setattr(training.report, "build_report", lambda models_dir: {"model": "x"})
    monkeypatch.setattr(training.report, "table", lambda report: f"| {report['model']} |")
    assert evaluate_main(["--report", "--out", str(tmp_path / "evaluation.json")]) == 0
    assert json.loads((tmp_path / "evaluation.json").read_text()) == {"model": "x"}
    assert (tmp_path / "evaluation.md").read_text() == "| x |\n"
    assert capsys.readouterr().out == "| x |\n"
