"""python -m service.report: label and score counts, one-sided share by period, unqualified cues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.report import build, main, parse_date, read_records, render


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


def test_evaluate_report_writes_the_json_and_its_tables_beside_it(tmp_path, monkeypatch, capsys):
    import training.report
    from training.evaluate import main as evaluate_main

    monkeypatch.setattr(training.report, "build_report", lambda models_dir: {"model": "x"})
    monkeypatch.setattr(training.report, "table", lambda report: f"| {report['model']} |")
    assert evaluate_main(["--report", "--out", str(tmp_path / "evaluation.json")]) == 0
    assert json.loads((tmp_path / "evaluation.json").read_text()) == {"model": "x"}
    assert (tmp_path / "evaluation.md").read_text() == "| x |\n"
    assert capsys.readouterr().out == "| x |\n"
