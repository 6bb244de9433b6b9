"""python -m service.report OUT.jsonl [--png PATH]: what an editor looks at first in an archive.

Reads the JSON Lines that ``python -m service.batch`` writes and prints, and
with ``--png`` plots:

- how the balance labels and scores are distributed;
- the share of one-sided articles over time, by day or month, when the
  records have ISO 8601 dates (``YYYY-MM-DD...``); the share is of the
  articles that make a claim, since one without claims cannot be one-sided;
- the most frequent unqualified claim cues: the claim cues of flagged claim
  sentences that no caveat is linked to. This needs the full analyses; a
  ``--summary`` output has the rest.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from service.analysis.balance import BALANCED_FROM, ONE_SIDED_BELOW
from service.analysis.types import BALANCE_LABELS
from service.batch import is_record
from service.cli import command, input_file, output_file
from service.jsontext import InvalidJSON, parse_json

#: Score histogram bins: tenths of [0, 1], 1.0 in the last.
BINS = 10
#: Cues listed and plotted.
TOP_CUES = 15
#: A period with fewer claim-making articles than this is printed but not plotted (too noisy).
MIN_PERIOD_ARTICLES = 5
#: With dates spanning more days than this, periods are months; else days.
DAILY_UP_TO_DAYS = 62


@dataclass
class Period:
    """One day or month: its articles, those that make a claim, and the one-sided ones."""

    articles: int = 0
    claiming: int = 0
    one_sided: int = 0

    @property
    def share(self) -> float | None:
        """One-sided articles over claim-making ones; None with none of those."""
        return self.one_sided / self.claiming if self.claiming else None


@dataclass
class Report:
    """The counts behind the printout and the plot."""

    articles: int = 0
    errors: int = 0
    unreadable: int = 0
    full: int = 0  # records with their sentences (not --summary)
    labels: Counter = field(default_factory=Counter)
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    dated: dict[date, Period] = field(default_factory=dict)
    undated: int = 0
    cues: Counter = field(default_factory=Counter)
    unqualified_claims: int = 0
    by: str = "month"
    periods: dict[str, Period] = field(default_factory=dict)


def read_records(path: Path) -> tuple[list[dict], int]:
    """The records of OUT and how many lines are none: not JSON (a kill's half line, say), or
    JSON that is not a record of ``service.batch`` (a file that is not its OUT)."""
    records, bad = [], 0
    # Binary, so that a line that is not UTF-8 is one unreadable line, not the end of the run.
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                record = parse_json(line, what="line")
            except InvalidJSON:
                bad += 1
                continue
            if is_record(record):
                records.append(record)
            else:
                bad += 1
    return records, bad


def png_file(value: str) -> Path:
    """A .png file to write (``cli.output_file``): the plot is a PNG whatever the name says."""
    path = output_file(value)
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"{value} does not end in .png")
    return path


def parse_date(value: object) -> date | None:
    """The day of an ISO 8601 date or timestamp, else None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def unqualified_claims(record: dict) -> list[dict]:
    """The flagged claim sentences (title included) that no caveat is linked to."""
    linked = {link["claim"] for link in record["links"]}
    sentences = ([record["title"]] if record.get("title") else []) + record["sentences"]
    return [s for s in sentences if s["claim"]["flagged"] and s["index"] not in linked]


def claim_cues(sentences: Iterable[dict]) -> Iterator[str]:
    """The claim cues of these sentences, lower-cased, spaces collapsed."""
    for sentence in sentences:
        for cue in sentence["cues"]:
            if cue["label"] == "claim":
                yield " ".join(cue["text"].lower().split())


def build(records: Iterable[dict], by: str = "auto", unreadable: int = 0) -> Report:
    """Count the records: labels, score bins, periods and unqualified claim cues."""
    report = Report(unreadable=unreadable)
    for record in records:
        if "error" in record:
            report.errors += 1
            continue
        report.articles += 1
        balance = record["balance"]
        report.labels[balance["label"]] += 1
        if balance["score"] is not None:
            report.histogram[min(BINS - 1, int(balance["score"] * BINS))] += 1
        day = parse_date(record.get("date"))
        if day is None:
            report.undated += 1
        else:
            period = report.dated.setdefault(day, Period())
            period.articles += 1
            period.claiming += balance["label"] != "no-claims"
            period.one_sided += balance["label"] == "one-sided"
        if isinstance(record.get("sentences"), list):  # not a --summary record
            report.full += 1
            unqualified = unqualified_claims(record)
            report.unqualified_claims += len(unqualified)
            report.cues.update(claim_cues(unqualified))
    report.by, report.periods = _periods(report.dated, by)
    return report


def _periods(dated: dict[date, Period], by: str) -> tuple[str, dict[str, Period]]:
    """The days grouped by day or month, every period between the first and last included."""
    if not dated:
        return ("month" if by == "auto" else by), {}
    first, last = min(dated), max(dated)
    if by == "auto":
        by = "day" if (last - first).days <= DAILY_UP_TO_DAYS else "month"
    periods: dict[str, Period] = {}
    if by == "day":
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            periods[date.fromordinal(ordinal).isoformat()] = Period()
    else:
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            periods[f"{year:04d}-{month:02d}"] = Period()
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for day, counts in dated.items():
        key = day.isoformat() if by == "day" else day.isoformat()[:7]
        period = periods[key]
        period.articles += counts.articles
        period.claiming += counts.claiming
        period.one_sided += counts.one_sided
    return by, periods


# --------------------------------------------------------------------------- text


def render(report: Report, source: str = "") -> str:
    """The report as plain text."""
    out = [f"caveat archive report{': ' + source if source else ''}"]
    out.append(
        f"{report.articles} articles analysed, {report.errors} error records"
        + (f", {report.unreadable} unreadable lines" if report.unreadable else "")
    )
    out += ["", "Balance labels"]
    for label in BALANCE_LABELS:
        n = report.labels[label]
        out.append(f"  {label:<17} {n:>7}  {_pct(n, report.articles)}")
    scored = sum(report.histogram)
    out += ["", f"Balance score, {scored} articles that make a claim"]
    peak = max(report.histogram) or 1
    for i, n in enumerate(report.histogram):
        bar = "#" * round(30 * n / peak)
        out.append(f"  {i / BINS:.1f}-{(i + 1) / BINS:.1f}  {n:>7}  {bar}")
    out += ["", f"One-sided share by {report.by} (of the articles that make a claim)"]
    if not report.periods:
        out.append("  no ISO 8601 dates in these records")
    for key, p in report.periods.items():
        if p.articles:
            out.append(
                f"  {key:<10} {p.articles:>6} articles  {p.claiming:>6} with claims  "
                f"{p.one_sided:>6} one-sided  {_pct(p.one_sided, p.claiming)}"
            )
    if report.undated and report.periods:
        out.append(f"  ({report.undated} articles without a usable date are left out)")
    out += ["", "Most frequent unqualified claim cues"]
    if not report.full:
        out.append("  needs the full analyses: run service.batch without --summary")
    else:
        out.append(
            f"  {report.unqualified_claims} claim sentences with no linked caveat, "
            f"in {report.full} analyses"
        )
        for cue, n in report.cues.most_common(TOP_CUES):
            out.append(f"  {n:>7}  {cue}")
    return "\n".join(out) + "\n"


def _pct(n: int, of: int) -> str:
    return f"{100 * n / of:5.1f}%" if of else "    -"


# --------------------------------------------------------------------------- plot


def plot(report: Report, path: Path, title: str = "caveat archive report") -> None:
    """Write the three panels as a PNG (matplotlib's Agg canvas; no display needed)."""
    # The object API renders with Agg without touching pyplot's global backend.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 8.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1))
    fig.suptitle(
        f"{title}: {report.articles:,} articles, {sum(report.histogram):,} make a claim",
        fontsize=14,
    )
    _plot_scores(fig.add_subplot(grid[0, 0]), report)
    _plot_cues(fig.add_subplot(grid[:, 1]), report)
    _plot_time(fig.add_subplot(grid[1, 0]), report)
    fig.savefig(path, dpi=110, format="png")


def _plot_scores(ax, report: Report) -> None:
    edges = [i / BINS for i in range(BINS)]
    ax.bar(edges, report.histogram, width=1 / BINS, align="edge", color="#4c72b0", ec="white")
    for x, name in ((ONE_SIDED_BELOW, "one-sided | partly"), (BALANCED_FROM, "partly | balanced")):
        ax.axvline(x, color="#c44e52", linestyle="--", linewidth=1)
        ax.annotate(
            name, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
            textcoords="offset points", fontsize=8, color="#c44e52",
        )  # fmt: skip
    ax.set_xlim(0, 1)
    ax.set_xlabel("balance score (0 = no claim qualified, 1 = all fully qualified)")
    ax.set_ylabel("articles")
    counts = ", ".join(f"{lab} {report.labels[lab]:,}" for lab in BALANCE_LABELS)
    ax.set_title(f"Balance scores\n{counts}", fontsize=10)


def _plot_time(ax, report: Report) -> None:
    ax.set_title(f"Share of one-sided articles by {report.by}", fontsize=10)
    if not report.periods:
        ax.text(0.5, 0.5, "no dates in these records", ha="center", va="center")
        ax.set_axis_off()
        return
    keys = list(report.periods)
    x = range(len(keys))
    shares = [
        100 * p.share if p.share is not None and p.claiming >= MIN_PERIOD_ARTICLES else float("nan")
        for p in report.periods.values()
    ]
    counts = [p.claiming for p in report.periods.values()]
    twin = ax.twinx()
    twin.bar(x, counts, color="#dddddd", width=0.8, label="articles with claims")
    twin.set_ylabel("articles with claims", color="#888888")
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.plot(x, shares, marker="o", color="#c44e52", label="one-sided share")
    # Room above the highest share, but never past 100 %: the line stays readable.
    plotted = [v for v in shares if v == v]
    ax.set_ylim(0, min(100, max(20, 1.5 * max(plotted, default=0))))
    ax.set_ylabel("% of articles with claims that are one-sided")
    step = max(1, len(keys) // 12)
    ax.set_xticks(list(x)[::step], keys[::step], rotation=45, ha="right", fontsize=8)
    ax.text(
        0.01, 0.98, f"periods with < {MIN_PERIOD_ARTICLES} articles with claims not plotted",
        transform=ax.transAxes, fontsize=7, va="top", color="#666666",
    )  # fmt: skip


def _plot_cues(ax, report: Report) -> None:
    ax.set_title("Most frequent unqualified claim cues", fontsize=10)
    top = report.cues.most_common(TOP_CUES)
    if not report.full or not top:
        why = (
            "needs full analyses\n(run service.batch without --summary)"
            if not report.full
            else ("no unqualified claims")
        )
        ax.text(0.5, 0.5, why, ha="center", va="center")
        ax.set_axis_off()
        return
    labels = [cue for cue, _ in reversed(top)]
    values = [n for _, n in reversed(top)]
    ax.barh(labels, values, color="#dd8452")
    for y, n in enumerate(values):
        ax.annotate(f"{n:,}", (n, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=8)  # fmt: skip
    ax.set_xlabel(f"claim sentences with no linked caveat ({report.unqualified_claims:,} in all)")
    ax.margins(x=0.12)


@command
def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m service.report",
        description="Summarise the JSON Lines of service.batch: scores, one-sided share, cues.",
    )
    parser.add_argument("records", type=input_file, help="the OUT of python -m service.batch")
    parser.add_argument("--png", type=png_file, default=None, help="also plot to this PNG file")
    parser.add_argument("--by", choices=("auto", "day", "month"), default="auto")
    parser.add_argument("--title", default="caveat archive report", help="the plot's title")
    args = parser.parse_args(argv)
    records, unreadable = read_records(args.records)
    if unreadable and not records:
        raise SystemExit(
            f"error: none of the {unreadable} lines of {args.records} is a record of "
            "python -m service.batch"
        )
    report = build(records, args.by, unreadable)
    sys.stdout.write(render(report, str(args.records)))
    if args.png:
        plot(report, args.png, args.title)
        print(f"\nplot written to {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
