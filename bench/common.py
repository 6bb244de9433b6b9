"""Shared by the benchmarks: the machine, fixed inputs, the floor, timing and tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import os
import platform
import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import ORIGINAL_THREAD_ENV, THREAD_VARS

#: The project root (bench/ lives in it).
ROOT = Path(__file__).resolve().parents[1]
#: Libraries whose versions every benchmark prints.
CORE_PACKAGES = ("numpy", "scipy", "scikit-learn", "nltk", "joblib")
#: An article is finished once it holds this share of its target length (whole sentences only);
#: a short target allows up to FILL_SLACK units less, or too few short sentences would fit.
FILL = 0.95
FILL_SLACK = 20
#: Prose sentences collected from Reuters for building articles (characters); enough for all sets.
STREAM_CHARS = 2_500_000


# --------------------------------------------------------------------------- the machine


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    """The installed version of a distribution, or "-" when it is not installed."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _nproc() -> str:
    try:
        # nproc obeys OMP_NUM_THREADS: ask it with the caller's environment, not our pins.
        return subprocess.run(
            ["nproc"], capture_output=True, text=True, check=True, env=server_env()
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return str(len(os.sched_getaffinity(0)))


def _git_state() -> str:
    """Commit and whether the tracked files differ from it (read-only git commands)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"unknown ({ROOT} is not a git checkout)"
    return f"{head}{' + uncommitted changes' if changed else ''}"


def machine_header(title: str, packages: Sequence[str] = ()) -> str:
    """What ran, where, with what: printed above every benchmark's tables."""
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    libs = ", ".join(f"{p} {package_version(p)}" for p in (*CORE_PACKAGES, *packages))
    pinned = ", ".join(f"{v}={os.environ.get(v)}" for v in THREAD_VARS)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join([
        f"# {title}",
        f"date: {dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()}; "
        f"code: {_git_state()}",
        f"machine: nproc={_nproc()} (os.cpu_count {os.cpu_count()}); CPU: {cpu_model()}; "
        f"RAM {mem_kb / 2**20:.1f} GiB; Linux {platform.release()}",
        f"python {platform.python_version()}; {libs}",
        f"threads in this process: {pinned}",
        f"load average (1/5/15 min) at start: {load}  (other processes share these cores)",
    ])


def server_env(**extra: str) -> dict[str, str]:
    """The environment for a server under test: as the caller had it, without our thread pins."""
    env = dict(os.environ)
    for name, value in ORIGINAL_THREAD_ENV.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env.update(extra)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- timing and tables


def timed_runs(fn: Callable[[], object], repeats: int, warmup: int = 1) -> list[float]:
    """Wall seconds of ``repeats`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def timed_pairs(
    fn: Callable[[], object], repeats: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Wall seconds and this process's CPU seconds of ``repeats`` calls, after ``warmup``.

    On a machine that other work shares, wall time says what a caller waits and
    CPU time what the work costs: a one-core figure that other load barely moves.
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return wall, cpu


def median(values: Sequence[float]) -> float:
    """The median (statistics.median, named here so every table says the same thing)."""
    return statistics.median(values)


def spread(values: Sequence[float]) -> str:
    """Half the min-max range as a percentage of the median: how noisy the repeats were."""
    mid = median(values)
    return f"±{50 * (max(values) - min(values)) / mid:.0f}%" if mid else "-"


def fmt(x: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, thousands separated when large."""
    if x == 0:
        return "0"
    if abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:,.{max(0, digits - len(str(int(abs(x)))))}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [
        any(r[i] for r in cells) and all(_numeric(r[i]) for r in cells if r[i])
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = (
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        )
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2))
                          for w, n in zip(widths, numeric, strict=True)) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


def _numeric(cell: str) -> bool:
    stripped = cell.replace(",", "").replace("%", "").replace("×", "").lstrip("±<>≤≥~")
    try:
        float(stripped)
    except ValueError:
        return False
    return True


def verdict(ok: bool) -> str:
    """MET / MISSED, for the targets lines."""
    return "MET" if ok else "MISSED"


# --------------------------------------------------------------------------- fixed inputs


def _is_prose(paragraph: str) -> bool:
    """A Reuters paragraph of running text, not a table or a wire header."""
    if len(paragraph) < 60 or paragraph[-1] not in ".!?\"'":
        return False
    letters = sum(c.isalpha() for c in paragraph)
    lower = sum(c.islower() for c in paragraph)
    digits = sum(c.isdigit() for c in paragraph)
    return letters > 0 and lower / letters >= 0.6 and digits / len(paragraph) <= 0.1


@dataclass(frozen=True)
class StreamSentence:
    """One sentence of Reuters prose and the paragraph it came from."""

    paragraph: int
    text: str


def reuters_stream(segmenter, limit_chars: int = STREAM_CHARS) -> list[StreamSentence]:
    """Whole sentences of Reuters prose paragraphs, in corpus order, up to ``limit_chars``."""
    from training.datasets import iter_reuters

    out: list[StreamSentence] = []
    total = para_no = 0
    for doc in iter_reuters():
        for paragraph in doc.text.split("\n"):
            if not _is_prose(paragraph):
                continue
            para_no += 1
            for span in segmenter.split(paragraph):
                text = paragraph[span.start:span.end]
                out.append(StreamSentence(para_no, text))
                total += len(text)
            if total >= limit_chars:
                return out
    return out


def build_articles(
    stream: Sequence[StreamSentence], target: int, count: int, unit: str = "chars"
) -> list[str]:
    """``count`` articles of whole consecutive-or-skipped sentences, each ≤ ``target`` chars/words.

    Sentences are taken in stream order; one that would overshoot the target is skipped,
    and an article is finished once it reaches FILL of its target (less for short ones).
    A new paragraph starts a new line, as in the corpus. Every length's set starts at the
    stream's start.
    """
    def size(s: str) -> int:
        return len(s.split()) if unit == "words" else len(s)

    articles: list[str] = []
    parts: list[str] = []
    used = last_para = 0
    for sentence in stream:
        sep = "" if not parts else (" " if sentence.paragraph == last_para else "\n")
        grow = size(sentence.text) + (len(sep) if unit == "chars" else 0)
        if used + grow > target:
            continue
        parts.append(sep + sentence.text)
        used += grow
        last_para = sentence.paragraph
        if used >= min(FILL, 1 - FILL_SLACK / target) * target:
            articles.append("".join(parts))
            parts, used = [], 0
            if len(articles) == count:
                return articles
    raise ValueError(f"the stream holds only {len(articles)} articles of {target} {unit}")


def digest(texts: Sequence[str]) -> str:
    """A short sha256 of a list of texts: the same digest means the same inputs."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:12]


def news_sentences(split: str) -> list:
    """Our labeled news sentences of one split (LabeledSentence objects)."""
    from training.datasets import iter_news

    return [sentence for sentence, _ in iter_news(split=split)]


# --------------------------------------------------------------------------- the floor


class Floor:
    """The least a sentence classifier must do: Punkt split, hashed word 1-2-grams, linear heads.

    Splitting uses the project's Punkt parameters through its Segmenter (the same
    sentences caveat sees); features are a HashingVectorizer over word 1-2-grams (2**20
    columns, no alternate sign); one LogisticRegression per label (claim, hedge), so the
    floor answers the same two questions caveat does.
    """

    def __init__(self, segmenter) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.segmenter = segmenter
        self.vectorizer = HashingVectorizer(
            ngram_range=(1, 2), n_features=2**20, alternate_sign=False
        )
        self.heads: list = []

    def fit(self, sentences: Sequence) -> Floor:
        """Fit a claim head and a hedge head on labeled sentences."""
        from sklearn.linear_model import LogisticRegression

        X = self.vectorizer.transform([s.text for s in sentences])
        self.heads = []
        for label in ("claim", "hedge"):
            y = np.array([getattr(s, label) for s in sentences])
            self.heads.append(LogisticRegression(max_iter=1000, random_state=0).fit(X, y))
        return self

    def classify(self, text: str) -> np.ndarray:
        """(n_sentences, 2) probabilities of claim and hedge for an article (the timed part)."""
        spans = self.segmenter.split(text)
        X = self.vectorizer.transform([text[s.start:s.end] for s in spans])
        return np.column_stack([head.predict_proba(X)[:, 1] for head in self.heads])


def load_segmenter():
    """The project's Segmenter with its shipped Punkt parameters (models/punkt-news.json)."""
    from service.analysis.segment import Segmenter, default_segmenter_path

    return Segmenter.load(default_segmenter_path())


def iter_chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of ``items`` of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
