"""One loader per corpus format in ../shared/data, each yielding plain records.

The corpora stay in ``../shared/data`` (see its README); nothing here copies
them into the project. Every loader takes the data root so that training,
tests and CI can point at the same folder.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.analysis.types import BALANCE_LABELS, HEDGE_TYPES
from service.cli import LabelFileError

#: Where the corpora live unless told otherwise: ``../shared/data`` beside the project.
DEFAULT_DATA_ROOT = Path(
    os.environ.get("CAVEAT_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@dataclass(frozen=True)
class Document:
    """A news text with a stable id, as the labels refer to it."""

    source: str  # e.g. "reuters21578:5" or "semeval2020-ptc:article111111111"
    text: str


# --------------------------------------------------------------------------- corpora present

#: Where the PTC articles and VADER's word ratings are, under the corpora folder.
PTC_ARTICLES = Path("semeval2020-ptc", "train-articles")
VADER_LEXICON = Path("nltk_data", "sentiment", "vader_lexicon.zip")

#: What each corpus of ``root`` is read from: paths under the data root, a ``*`` where any
#: matching file will do. ``require_corpora`` checks them before a command's work starts.
CORPUS_FILES: dict[str, tuple[str, ...]] = {
    "reuters21578": ("reuters21578/sgm-data/reut2-*.sgm",),
    "semeval2020-ptc": (f"{PTC_ARTICLES.as_posix()}/article*.txt",),
    "szeged-uncertainty": (
        "szeged-uncertainty/wiki.xml",
        "szeged-uncertainty/bio_bmc.xml",
        "szeged-uncertainty/bio_fly.xml",
        "szeged-uncertainty/bio_hbc.xml",
    ),
    "vader": (VADER_LEXICON.as_posix(),),
    "lexicons": (
        "lexicons/hedging-lrec/hedge_words.txt",
        "lexicons/hedging-lrec/booster_words.txt",
        "lexicons/recasens2013-bias-lexicons/hedges_hyland2005.txt",
    ),
    "pei-jurgens-certainty": ("pei-jurgens-certainty/sentence-level-certainty.jsonl",),
    "yu-claim-strength": ("yu-claim-strength/annotated_eureka.csv",),
}
#: What ``train.load_corpora`` with ``load_vader_valence`` and ``news_clusters`` read: the
#: corpora of training and of the studies that train as it does.
TRAINING_CORPORA = ("reuters21578", "semeval2020-ptc", "szeged-uncertainty", "vader")


def missing_corpora(root: Path, names: Iterable[str]) -> dict[str, list[str]]:
    """Each corpus of ``names`` (keys of ``CORPUS_FILES``) that ``root`` lacks a file of, with
    the paths (under ``root``) it lacks."""
    root = Path(root)
    missing = {
        name: [pattern for pattern in CORPUS_FILES[name] if not any(root.glob(pattern))]
        for name in names
    }
    return {name: paths for name, paths in missing.items() if paths}


def require_corpora(root: Path, *names: str) -> None:
    """Stop (exit 1) before any work when ``root`` lacks a corpus a command will read, in one
    line naming each corpus missing and its files: otherwise it is found minutes into the work
    (or as one file of it, not the corpus)."""
    if missing := missing_corpora(root, names):
        said = "; ".join(f"{name} (no {', '.join(paths)})" for name, paths in missing.items())
        raise SystemExit(f"error: the corpora folder {root} lacks {said}")


# --------------------------------------------------------------------------- Reuters

_REUTERS_RECORD = re.compile(r'<REUTERS[^>]*NEWID="(\d+)"[^>]*>(.*?)</REUTERS>', re.S)
_REUTERS_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_REUTERS_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_REUTERS_DATE = re.compile(r"<DATE>(.*?)</DATE>", re.S)
# The sign-off every body ends with ("Reuter", "REUTER") and the SGML end-of-text mark.
_REUTER_SIGNOFF = re.compile(r"\s*\breuter\b\s*\x03?\s*$", re.I)
# Company tickers are written as "<ACME CORP>" (after unescaping): keep the name.
_TICKER = re.compile(r"<([^<>\n]{1,80})>")


def clean_reuters_body(raw: str) -> str:
    """Turn one SGML <BODY> into clean prose: one paragraph a line.

    The bodies are hard-wrapped at about 65 columns and a new paragraph starts
    with an indented line; we unwrap lines, keep paragraphs on lines of their
    own, unescape SGML entities, drop the "Reuter" sign-off and the ticker
    brackets.
    """
    text = html.unescape(raw).replace("\x03", "")
    text = _REUTER_SIGNOFF.sub("", text)
    text = _TICKER.sub(r"\1", text)
    paragraphs: list[list[str]] = []
    for line in text.split("\n"):
        if not paragraphs or line[:1].isspace() or not line.strip():
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return "\n".join(" ".join(p) for p in paragraphs if p)


@dataclass(frozen=True)
class ReutersArticle(Document):
    """A Reuters-21578 record with a body."""

    title: str = ""
    date: str = ""


def iter_reuters(root: Path = DEFAULT_DATA_ROOT) -> Iterator[ReutersArticle]:
    """Yield the 19,043 Reuters-21578 records that have a body, in NEWID order of the files."""
    folder = Path(root) / "reuters21578" / "sgm-data"
    files = sorted(folder.glob("reut2-*.sgm"))
    if not files:
        raise FileNotFoundError(f"no Reuters SGML files under {folder}")
    for path in files:
        sgml = path.read_text(encoding="latin-1")
        for newid, record in _REUTERS_RECORD.findall(sgml):
            body = _REUTERS_BODY.search(record)
            if not body:
                continue
            title = _REUTERS_TITLE.search(record)
            date = _REUTERS_DATE.search(record)
            yield ReutersArticle(
                source=f"reuters21578:{newid}",
                text=clean_reuters_body(body.group(1)),
                title=html.unescape(title.group(1)).strip() if title else "",
                date=date.group(1).strip() if date else "",
            )


# --------------------------------------------------------------------------- PTC


def ptc_files(root: Path = DEFAULT_DATA_ROOT) -> list[Path]:
    """The SemEval-2020 PTC training articles' files, in name order."""
    return sorted((Path(root) / PTC_ARTICLES).glob("article*.txt"))


def iter_ptc(root: Path = DEFAULT_DATA_ROOT) -> Iterator[Document]:
    """Yield the 371 SemEval-2020 PTC training articles (title, blank line, a sentence a line)."""
    files = ptc_files(root)
    if not files:
        raise FileNotFoundError(f"no PTC articles under {Path(root) / PTC_ARTICLES}")
    for path in files:
        # newline="" keeps the offsets of the span labels exact.
        with open(path, encoding="utf-8", newline="") as fh:
            yield Document(source=f"semeval2020-ptc:{path.stem}", text=fh.read())


def load_document(source: str, root: Path = DEFAULT_DATA_ROOT) -> Document:
    """Fetch one document by its ``source`` id (the key the news labels use)."""
    corpus, _, key = source.partition(":")
    if corpus == "semeval2020-ptc":
        path = Path(root) / PTC_ARTICLES / f"{key}.txt"
        with open(path, encoding="utf-8", newline="") as fh:
            return Document(source=source, text=fh.read())
    if corpus == "reuters21578":
        for doc in iter_reuters(root):
            if doc.source == source:
                return doc
        raise KeyError(source)
    raise KeyError(f"unknown corpus in source id {source!r}")


# --------------------------------------------------------------------------- Szeged

# Szeged cue types (Szarvas et al. 2012) mapped to caveat's hedge types (LABELING.md):
# epistemic, doxastic and investigation cues lower certainty; condition cues are conditions.
# Keys are the raw type without spaces and trailing underscores: the XML spells
# "speculation_hypo_condition _" and "speculation_modal_probable_" (see ``_szeged_type``).
SZEGED_TYPE_MAP = {
    "speculation_modal_probable": "uncertainty",
    "speculation_modal_possible": "uncertainty",
    "speculation_hypo_doxastic": "uncertainty",
    "speculation_hypo_investigation": "uncertainty",
    "speculation_hypo_condition": "condition",
}


#: The hedge types Szeged annotates: its cue types mapped to ours cover these two only.
SZEGED_TYPES = frozenset(SZEGED_TYPE_MAP.values())


#: The corpus of our written sentences (``iter_written``).
WRITTEN = "written"
#: The corpora labeled by us, to LABELING.md: every label, every hedge type, claim cues.
OUR_CORPORA = frozenset({"news", WRITTEN})


def marked_types(corpus: str) -> frozenset[str]:
    """The hedge types ``corpus`` (a ``LabeledSentence.corpus``) annotates: all of ours for
    our news labels and our written sentences; for a Szeged part, uncertainty and condition
    (no limitation, contrast or attribution cues)."""
    return frozenset(HEDGE_TYPES) if corpus in OUR_CORPORA else SZEGED_TYPES


def domain_of(corpus: str) -> str:
    """The domain whose copy of the features a corpus's rows train (``heads.MaskedMultiLabel``
    ``domains``): our written sentences are written as news, so they train news's."""
    return "news" if corpus == WRITTEN else corpus


def _szeged_type(raw: str | None) -> str:
    """Our hedge type of a raw Szeged cue type; an unknown one lowers certainty."""
    return SZEGED_TYPE_MAP.get((raw or "").replace(" ", "").rstrip("_"), "uncertainty")


SZEGED_FILES = {"wiki": ("wiki.xml",), "bio": ("bio_bmc.xml", "bio_fly.xml", "bio_hbc.xml")}
_EXCERPT_NUMBER = re.compile(r"_\d+$")


def szeged_article(docid: str) -> str:
    """The Wikipedia article a Szeged Wikipedia DocID is an excerpt of: "Apollo 11_12" is
    the 12th excerpt of "Apollo 11" (titles are written with spaces, so "_12" is no title's).

    Excerpts of one article share its words, so the splits go by article (model 1.11.0;
    ``docs/quality-history.md``, rule 16): 73 test articles of the split by excerpt also
    had excerpts in training.
    """
    return _EXCERPT_NUMBER.sub("", docid)


@dataclass(frozen=True)
class LabeledSentence:
    """A sentence with its labels; ``None`` marks a label the corpus does not annotate."""

    text: str
    doc: str  # document id: splits are made by document
    corpus: str
    claim: int | None
    hedge: int | None
    types: tuple[str, ...] = ()
    cues: tuple[tuple[int, int, str, str | None], ...] = field(
        default=()
    )  # (start, end, label, type)
    stratum: str = ""  # how the sentence was drawn (our news labels only)

    @property
    def natural(self) -> bool:
        """Drawn like the test split: not the claim-rich, a targeted or the boundary draw."""
        return self.stratum in NATURAL_STRATA


#: Strata of ``training.news_pool``'s first draw, which the test split keeps: uniform, and
#: cue-rich at a known share. The claim-rich, targeted and boundary draws add training signal
#: only; calibration and thresholds are fitted on these rows.
NATURAL_STRATA = frozenset({"uniform", "cue-rich"})
#: Strata of the targeted draws (models 1.3.0 and 1.4.0): sentences chosen because they hold
#: a phrase of LABELING.md that the first draws held too rarely (conditions, negations,
#: promises; then contrasts, praise, conditionals). They train at TARGETED_WEIGHT, not
#: NEWS_WEIGHT: they should teach those phrases without tilting the model toward sentences
#: that hold them. Chosen with model 1.3.0's rows, out of fold on news train + dev (claim
#: F1, hedge F1) and on Szeged Wikipedia train + dev at its own threshold (hedge F1): at
#: NEWS_WEIGHT 0.553, 0.780, 0.763; at 1 0.558, 0.782, 0.767 (model 1.2.2, without these
#: rows: 0.545, 0.783, 0.776).
TARGETED_STRATA = frozenset(
    {"condition-rich", "negation", "promise-rich"}  # model 1.3.0
    | {"contrast-rich", "praise-rich", "conditional"}  # model 1.4.0
)
TARGETED_WEIGHT = 1.0
#: Our news rows count this much more than a Szeged row: they are the serving domain. The
#: claim-rich draw trains at this weight too (and the shelved boundary draw, when read): they
#: are news as it comes, chosen for the claims among it, not for a phrase.
NEWS_WEIGHT = 4.0
#: Our written sentences (``iter_written``) count like a targeted row: they should teach the
#: guidelines' notions in today's wording, not outweigh news as it comes.
WRITTEN_WEIGHT = 1.0


def row_weight(s: LabeledSentence, other: float = 1.0) -> float:
    """A row's training weight: NEWS_WEIGHT for our news rows but the targeted draw's
    (TARGETED_WEIGHT), WRITTEN_WEIGHT for our written sentences, ``other`` for another
    corpus's."""
    if s.corpus == WRITTEN:
        return WRITTEN_WEIGHT
    if s.corpus != "news":
        return other
    return TARGETED_WEIGHT if s.stratum in TARGETED_STRATA else NEWS_WEIGHT


def iter_szeged(part: str, root: Path = DEFAULT_DATA_ROOT) -> Iterator[LabeledSentence]:
    """Yield Szeged sentences of ``part`` ("wiki" or "bio"): hedge iff it holds a cue.

    A Wikipedia sentence's document is its article, not the excerpt (``szeged_article``);
    a biomedical one's is its paper or abstract.

    Szeged does not annotate optimistic claims: ``claim`` is None (unknown), not 0.
    """
    import xml.etree.ElementTree as ET

    for name in SZEGED_FILES[part]:
        tree = ET.parse(Path(root) / "szeged-uncertainty" / name)
        for n, document in enumerate(tree.getroot().iter("Document")):
            docid = document.findtext("DocID") or f"{name}#{n}"
            if part == "wiki":
                docid = szeged_article(docid)
            for sentence in document.iter("Sentence"):
                pieces, cues = [sentence.text or ""], []
                pos = len(pieces[0])
                for child in sentence:
                    inner = "".join(child.itertext())
                    if child.tag == "ccue":
                        kind = _szeged_type(child.get("type"))
                        cues.append((pos, pos + len(inner), "hedge", kind))
                    pieces.append(inner)
                    pos += len(inner)
                    pieces.append(child.tail or "")
                    pos += len(child.tail or "")
                text = "".join(pieces)
                if not text.strip():
                    continue
                yield LabeledSentence(
                    text=text,
                    doc=f"szeged-{part}:{docid}",
                    corpus=f"szeged-{part}",
                    claim=None,
                    hedge=int(bool(cues)),
                    types=tuple(sorted({c[3] for c in cues})),
                    cues=tuple(cues),
                )


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    """Write label records one JSON object a line (keys sorted, text as is)."""
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")


# --------------------------------------------------------------------------- label records

#: The values a record of our label files may hold (``training/labels/README.md``).
SPLITS = ("train", "dev", "test")
PASSES = ("first", "second")
CUE_LABELS = ("claim", "hedge")


class _Invalid(ValueError):
    """What is wrong with one record; ``_at`` says where."""


def records_held(out: Path, required: bool = False) -> list[dict]:
    """What an importer's ``--out`` holds before it writes: the records it keeps with
    ``--append``, or those a rewrite must not drop unasked (``service.cli.refuse_dropping``).
    None when there is no such file yet, unless ``required`` (then it is an error)."""
    return [r for _, r in read_jsonl(out)] if required or out.is_file() else []


def read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """Every record of a JSON Lines labels file with its line number (blank lines skipped); a
    line that is not JSON, or not a JSON object, raises ``LabelFileError`` naming file and line."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelFileError(
                    f"{path}:{n}: not JSON at column {exc.colno} ({exc.msg.removesuffix(' at')})"
                ) from None
            if not isinstance(row, dict):
                raise LabelFileError(f"{path}:{n}: not a record: a JSON {type(row).__name__}")
            out.append((n, row))
    return out


def _error(path: Path, n: int, row: dict, problem: object) -> LabelFileError:
    """``FILE:LINE: problem (id X)`` of the record ``row`` on line ``n``."""
    rid = row.get("id")
    where = f" (id {rid})" if isinstance(rid, str) else ""
    return LabelFileError(f"{path}:{n}: {problem}{where}")


@contextmanager
def _at(path: Path, n: int, row: dict) -> Iterator[None]:
    """Turn the ``_Invalid`` of the record on line ``n`` into a ``LabelFileError`` (``_error``)."""
    try:
        yield
    except _Invalid as exc:
        raise _error(path, n, row, exc) from None


def _field(row: dict, key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """``row[key]`` if the record has it and it is a ``kind`` (an int is not a bool)."""
    if key not in row:
        raise _Invalid(f"no {key!r} field")
    value = row[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _Invalid(f"{key} is {value!r}, not {what}")
    return value


def _flag(row: dict, key: str) -> int:
    """A 0/1 label."""
    value = _field(row, key, int, "0 or 1")
    if value not in (0, 1):
        raise _Invalid(f"{key} is {value!r}, not 0 or 1")
    return value


def _one_of(row: dict, key: str, allowed: Iterable[str]) -> str:
    value = _field(row, key, str, "a string")
    if value not in allowed:
        raise _Invalid(f"{key} {value!r} is none of {', '.join(allowed)}")
    return value


def _check_labels(row: dict) -> None:
    """claim and hedge 0/1, the types known, each once, and given iff the sentence hedges."""
    _flag(row, "claim")
    hedge = _flag(row, "hedge")
    types = _field(row, "types", list, "a list")
    for t in types:
        if t not in HEDGE_TYPES:
            raise _Invalid(f"unknown hedge type {t!r} (known: {', '.join(HEDGE_TYPES)})")
    if len(set(types)) != len(types):
        raise _Invalid(f"a type twice in {types}")
    if bool(hedge) != bool(types):
        raise _Invalid(f"hedge {hedge} with types {types}")


def _check_cues(row: dict, low: int, high: int) -> None:
    """Each cue a claim cue (type null) or a hedge cue of a known type, inside [low, high] (its
    sentence), and a hedge cue for each of the record's types."""
    cued = set()
    for cue in _field(row, "cues", list, "a list"):
        if not isinstance(cue, dict):
            raise _Invalid(f"a cue is {cue!r}, not an object")
        label = _one_of(cue, "label", CUE_LABELS)
        start, end = (_field(cue, k, int, "a whole number") for k in ("start", "end"))
        if not low <= start < end <= high:
            raise _Invalid(f"cue {start}-{end} is not inside its sentence {low}-{high}")
        if label == "claim":
            if cue.get("type") is not None:
                raise _Invalid(f"claim cue {start}-{end} with type {cue['type']!r}")
        else:
            cued.add(_one_of(cue, "type", HEDGE_TYPES))
    missing = [t for t in row["types"] if t not in cued]
    if missing:
        raise _Invalid(f"type {missing[0]!r} without a cue of that type")
    claim_cues = sum(cue["label"] == "claim" for cue in row["cues"])
    if bool(row["claim"]) != bool(claim_cues):  # the words that boost a claim are marked
        raise _Invalid(f"claim {row['claim']} with {claim_cues} claim cue(s)")


def _span(row: dict) -> tuple[int, int]:
    """A record's own start and end: whole numbers, 0 <= start < end."""
    start, end = (_field(row, k, int, "a whole number") for k in ("start", "end"))
    if not 0 <= start < end:
        raise _Invalid(f"start {start}, end {end}: not a span (0 <= start < end)")
    return start, end


def check_news_record(row: dict) -> None:
    """Raise ``_Invalid`` unless ``row`` is a record of ``news.jsonl``'s schema (or of a second
    pass over it): ``training/labels/README.md``."""
    _field(row, "id", str, "a string")
    _field(row, "source", str, "a string")
    _field(row, "sha1", str, "a string")
    start, end = _span(row)
    _one_of(row, "split", SPLITS)
    _one_of(row, "stratum", NEWS_STRATA)
    _one_of(row, "pass", PASSES)
    _check_labels(row)
    _check_cues(row, start, end)


def check_written_record(row: dict) -> None:
    """Raise ``_Invalid`` unless ``row`` is a record of ``written.jsonl``'s schema."""
    _field(row, "id", str, "a string")
    text = _field(row, "text", str, "a string")
    _check_labels(row)
    _check_cues(row, 0, len(text))


def _by_id(row: dict) -> tuple[Any, str]:
    """A record's key among those that must be unique (``checked_records``): its id."""
    return row["id"], "the id"


def _by_text(row: dict) -> tuple[Any, str]:
    """A written record's other key: its sentence."""
    return row["text"], "the sentence"


def checked_records(
    path: Path, check: Callable[[dict], None], *unique: Callable[[dict], tuple[Any, str]]
) -> list[tuple[int, dict]]:
    """``read_jsonl(path)``, every record passed through ``check`` and, for each of ``unique``
    (row -> its key and what to call it), no key twice; a failure raises ``LabelFileError``
    naming file, line and id."""
    rows = read_jsonl(path)
    seen: list[dict] = [{} for _ in unique]
    for n, row in rows:
        with _at(path, n, row):
            check(row)
            for key_of, lines in zip(unique, seen, strict=True):
                key, what = key_of(row)
                if key in lines:
                    raise _Invalid(f"{what} is also on line {lines[key]}")
                lines[key] = n
    return rows


def _check_sentence_record(row: dict) -> None:
    """A sentence record of any of our kinds (``read_sentence_labels``)."""
    if "source" in row:
        check_news_record(row)
    elif "id" in row and "text" in row and "cues" in row:
        check_written_record(row)
    else:
        if "id" in row:
            _field(row, "id", str, "a string")
        else:
            _field(row, "text", str, "a string")
        _check_labels(row)


def _by_id_or_text(row: dict) -> tuple[Any, str]:
    """A sentence's key: its id, or its text where it has none (a probe set's)."""
    return _by_id(row) if "id" in row else _by_text(row)


def read_sentence_labels(path: Path) -> list[tuple[int, dict]]:
    """The checked records of a sentence labels file of any of our kinds: ``news.jsonl`` and
    its second passes (offsets into a document), ``written.jsonl``, a probe set (text and
    labels). Each sentence once: by its id, or its text where it has none."""
    return checked_records(path, _check_sentence_record, _by_id_or_text)


# --------------------------------------------------------------------------- our news labels

#: The project's own labeled news sentences: source + offsets + labels, no text.
NEWS_LABELS = Path(__file__).resolve().parent / "labels" / "news.jsonl"
#: Our own sentences written to LABELING.md, with their labels (``iter_written``).
WRITTEN_LABELS = Path(__file__).resolve().parent / "labels" / "written.jsonl"


#: Strata labeled and kept in ``news.jsonl`` but left out of every reader unless asked for:
#: the boundary draw (``training.news_pool``). Neither model trained with it met its keep
#: rule (README, Quality: "Tried and not kept: 800 more real news sentences"), so the
#: shipped recipe, and the model it rebuilds, stay without it.
SHELVED_STRATA = frozenset({"boundary"})
#: Every stratum a news record may name: the first draw's, the claim-rich, the targeted and
#: the shelved draws (``training/labels/README.md``).
NEWS_STRATA = tuple(sorted(NATURAL_STRATA | {"claim-rich"} | TARGETED_STRATA | SHELVED_STRATA))


class MissingDocuments(KeyError):
    """Sources of label records that are not in the corpora."""

    def __init__(self, sources: set[str]):
        super().__init__(f"documents not found: {sorted(sources)[:3]}")
        self.sources = sources


def _document_texts(sources: set[str], root: Path) -> dict[str, str]:
    """The text of each document in ``sources``, reading the Reuters files once for all;
    ``MissingDocuments`` names those that are not there (a corpus folder that is missing
    altogether is an OSError, as from ``iter_reuters``)."""
    texts: dict[str, str] = {}
    reuters = {x for x in sources if x.startswith("reuters21578:")}
    if reuters:
        for doc in iter_reuters(root):
            if doc.source in reuters:
                texts[doc.source] = doc.text
    ptc = Path(root) / PTC_ARTICLES
    for source in sources - reuters:
        try:
            texts[source] = load_document(source, root).text
        except KeyError:  # an unknown corpus
            continue
        except FileNotFoundError:
            if not ptc.is_dir():
                raise
    missing = sources - texts.keys()
    if missing:
        raise MissingDocuments(missing)
    return texts


def _texts_of(path: Path, rows: list[tuple[int, dict]], root: Path) -> dict[str, str]:
    """The documents of ``rows`` (those without their own text); a source that is not in the
    corpora is a ``LabelFileError`` naming the first record that names it."""
    sources = {r["source"] for _, r in rows if "text" not in r}
    try:
        return _document_texts(sources, root)
    except MissingDocuments as exc:
        n, row = next((n, r) for n, r in rows if r["source"] in exc.sources)
        problem = f"document {row['source']!r} is not in the corpora under {root}"
        raise _error(path, n, row, problem) from None


def news_records(path: Path = NEWS_LABELS) -> list[tuple[int, dict]]:
    """The records of a news labels file with their line numbers, each checked
    (``check_news_record``) and each id once; else ``LabelFileError`` naming file, line and
    id."""
    return checked_records(path, check_news_record, _by_id)


def iter_news(
    path: Path = NEWS_LABELS,
    root: Path = DEFAULT_DATA_ROOT,
    split: str | None = None,
    leave_out: frozenset[str] = SHELVED_STRATA,
) -> Iterator[tuple[LabeledSentence, dict]]:
    """Yield our labeled news sentences (text read back from ../shared) with their label record,
    but those of the strata in ``leave_out``.

    Every record is checked first (``check_news_record``, each id once): a malformed or
    inconsistent one raises ``LabelFileError`` naming file, line and id. The record's ``sha1``
    of the sentence text guards against a corpus that changed under the offsets: a mismatch
    raises rather than training on the wrong words.
    """
    import hashlib

    rows = [(n, row) for n, row in news_records(path) if row["stratum"] not in leave_out]
    cache = _texts_of(path, rows, root)
    for n, row in rows:
        if split is not None and row["split"] != split:
            continue
        doc_text = cache[row["source"]]
        text = doc_text[row["start"] : row["end"]]
        with _at(path, n, row):
            if row["end"] > len(doc_text):
                raise _Invalid(
                    f"offsets {row['start']}-{row['end']} run past the end of {row['source']} "
                    f"({len(doc_text)} characters)"
                )
            if hashlib.sha1(text.encode()).hexdigest() != row["sha1"]:
                raise _Invalid(
                    f"the text at {row['source']} {row['start']}-{row['end']} no longer "
                    "matches its label (sha1)"
                )
        cues = tuple(
            (c["start"] - row["start"], c["end"] - row["start"], c["label"], c["type"])
            for c in row["cues"]
        )
        yield (
            LabeledSentence(
                text=text,
                doc=row["source"],
                corpus="news",
                claim=row["claim"],
                hedge=row["hedge"],
                types=tuple(row["types"]),
                cues=cues,
                stratum=row["stratum"],
            ),
            row,
        )


def iter_written(path: Path = WRITTEN_LABELS) -> Iterator[LabeledSentence]:
    """Yield our written sentences: one-sentence examples in the manner of 2020s news, each
    written and labeled by LABELING.md (``training/labels/README.md`` says how). The text is
    ours, so it is kept with its labels. Each sentence is its own document; all of them are
    training rows only, in every fold's training part and never scored as news. A malformed
    or inconsistent record, or an id or sentence twice, raises ``LabelFileError``."""
    rows = checked_records(path, check_written_record, _by_id, _by_text)
    for _, row in rows:
        yield LabeledSentence(
            text=row["text"],
            doc=f"{WRITTEN}:{row['id']}",
            corpus=WRITTEN,
            claim=row["claim"],
            hedge=row["hedge"],
            types=tuple(row["types"]),
            cues=tuple((c["start"], c["end"], c["label"], c["type"]) for c in row["cues"]),
            stratum=WRITTEN,
        )


# --------------------------------------------------------------------------- articles

#: Whole news articles labeled for links and balance (``training.article_pool``).
ARTICLE_LABELS = Path(__file__).resolve().parent / "labels" / "articles.jsonl"
#: A second, independent pass over some of them, for agreement.
ARTICLE_LABELS_SECOND = Path(__file__).resolve().parent / "labels" / "articles-second.jsonl"
#: Articles we wrote in the manner of 2020s news, with paragraphs, labeled the same way
#: (their text is ours, so the records keep it).
WRITTEN_ARTICLE_LABELS = Path(__file__).resolve().parent / "labels" / "written-articles.jsonl"


@dataclass(frozen=True)
class LabeledArticle:
    """A whole article with its sentence labels, claim -> hedge links and balance rating."""

    id: str
    source: str
    text: str
    part: str  # "dev" or "test" (``article_pool.part_of``), or "written"
    stratum: str  # "claimed", "uniform", "claim-rich" or "written"
    #: (start, end, claim, hedge, types) of every sentence, in order.
    sentences: tuple[tuple[int, int, int, int, tuple[str, ...]], ...]
    #: (claim sentence, hedge sentence), indexes into ``sentences``.
    links: frozenset[tuple[int, int]]
    label: str
    score: float | None


#: The values an article record may hold (``training/labels/README.md``): its part
#: (``article_pool.part_of``, or our written articles') and the draw it came from.
ARTICLE_PARTS = ("dev", "test", "written")
ARTICLE_STRATA = ("claimed", "uniform", "claim-rich", "written")


def check_article_record(row: dict) -> None:
    """Raise ``_Invalid`` unless ``row`` is an article record as ``article_pool`` writes it:
    sentences in order with 0/1 labels and known types, each link from a claim sentence to a
    hedge sentence of the article, a balance label of ``BALANCE_LABELS`` with a score in
    [0, 1] (none for ``no-claims``, which an article with a claim cannot be)."""
    _field(row, "id", str, "a string")
    if "sentences" not in row:
        raise _Invalid("no 'sentences' field: not an article record")
    _field(row, "source", str, "a string")
    _field(row, "sha1", str, "a string")
    if "text" in row:
        _field(row, "text", str, "a string")
    _one_of(row, "part", ARTICLE_PARTS)
    _one_of(row, "stratum", ARTICLE_STRATA)
    sentences = _field(row, "sentences", list, "a list of sentences (an article record)")
    if not sentences:
        raise _Invalid("no sentences")
    last = 0
    for k, s in enumerate(sentences):
        if not isinstance(s, dict):
            raise _Invalid(f"sentence [{k}] is {s!r}, not an object")
        try:
            start, end = _span(s)
            if start < last:
                raise _Invalid(f"it starts at {start}, inside the sentence before it")
            _check_labels(s)
        except _Invalid as exc:
            raise _Invalid(f"sentence [{k}]: {exc}") from None
        last = end
    for pair in _field(row, "links", list, "a list"):
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in pair)
        ):
            raise _Invalid(f"link {pair!r} is not [claim sentence, hedge sentence]")
        c, h = pair
        if not (0 <= c < len(sentences) and 0 <= h < len(sentences)):
            raise _Invalid(f"link {pair} to a sentence the article does not have")
        if not (sentences[c]["claim"] and sentences[h]["hedge"]):
            raise _Invalid(f"link {pair} does not join a claim sentence to a hedge sentence")
    balance = _field(row, "balance", dict, "an object")
    label = _one_of(balance, "label", BALANCE_LABELS)
    has_claim = any(s["claim"] for s in sentences)
    if (label == "no-claims") == has_claim:
        raise _Invalid(
            f"balance {label!r} in an article {'with' if has_claim else 'without'} a claim"
        )
    score = balance.get("score")
    if score is None:
        if label != "no-claims":
            raise _Invalid(f"balance {label!r} without a score")
    elif label == "no-claims":
        raise _Invalid(f"a score {score!r} for 'no-claims'")
    elif isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise _Invalid(f"score {score!r} is not a number in [0, 1]")


def iter_articles(
    path: Path = ARTICLE_LABELS, root: Path = DEFAULT_DATA_ROOT
) -> Iterator[LabeledArticle]:
    """Yield the labeled articles of ``path`` with their text read back from ../shared. A
    malformed or inconsistent record (``check_article_record``), an id twice, a sentence past
    the end of the text or a record whose ``sha1`` no longer matches its document's text
    raises ``LabelFileError`` naming file, line and id."""
    import hashlib

    rows = checked_records(path, check_article_record, _by_id)
    # Our own written articles carry their text; news articles are read from ../shared.
    texts = _texts_of(path, rows, root)
    for n, row in rows:
        text = row["text"] if "text" in row else texts[row["source"]]
        with _at(path, n, row):
            if hashlib.sha1(text.encode("utf-8")).hexdigest() != row["sha1"]:
                raise _Invalid(f"the text of {row['source']} no longer matches its labels (sha1)")
            end = row["sentences"][-1]["end"]
            if end > len(text):
                raise _Invalid(
                    f"sentence [{len(row['sentences']) - 1}] ends at {end}, past the end of "
                    f"the text ({len(text)} characters)"
                )
        yield LabeledArticle(
            id=row["id"],
            source=row["source"],
            text=text,
            part=row["part"],
            stratum=row["stratum"],
            sentences=tuple(
                (s["start"], s["end"], s["claim"], s["hedge"], tuple(s["types"]))
                for s in row["sentences"]
            ),
            links=frozenset((c, h) for c, h in row["links"]),
            label=row["balance"]["label"],
            score=row["balance"]["score"],
        )


#: Cue spans of written articles w000-w031 (``iter_article_rows``): the sentence labels
#: are the article annotators'; the cues were marked afterwards, for those labels, by helpers
#: who saw neither the model nor its output (``training/labels/README.md``).
WRITTEN_ARTICLE_CUES = Path(__file__).resolve().parent / "labels" / "written-articles-cues.jsonl"


def _check_cue_record(row: dict) -> None:
    """A record of ``written-articles-cues.jsonl``: its id, article, sentence and list of
    cues; the cues are checked against the sentence's labels where it is read."""
    _field(row, "id", str, "a string")
    _field(row, "article", str, "a string")
    _field(row, "sentence", int, "a whole number")
    _field(row, "cues", list, "a list")


def article_sentence_id(article_id: str, k: int) -> str:
    """The id of sentence ``k`` of a written article in its cue marks ("w000-01")."""
    return f"{article_id}-{k:02d}"


def iter_article_rows(
    ids: tuple[str, str],
    path: Path = WRITTEN_ARTICLE_LABELS,
    cues: Path = WRITTEN_ARTICLE_CUES,
) -> Iterator[LabeledSentence]:
    """Every sentence of the written articles whose id is in ``ids`` (first, last) as a
    training row: our written sentences in running text, as ``iter_written``'s, but one
    document per article (so that an article's sentences share a fold). A claim or hedge
    sentence without its marked cues raises: the taggers would learn that it holds none.

    No shipped model trains on them: rule 13 (``docs/quality-history.md``) was not kept, so
    they are an experiment (``python -m training.train --articles w000 w031``); the articles
    stay a scored set (``training.evaluate_articles``)."""
    lines = {row["id"]: (n, row) for n, row in checked_records(cues, _check_cue_record, _by_id)}
    first, last = ids
    for article in iter_articles(path):
        if not first <= article.id <= last:
            continue
        for k, (start, end, claim, hedge, types) in enumerate(article.sentences):
            key, marked = article_sentence_id(article.id, k), ()
            if key in lines:
                n, row = lines[key]
                with _at(cues, n, row):  # the marks fit the sentence's labels and words
                    _check_cues({**row, "claim": claim, "types": types}, start, end)
                    for c in row["cues"]:
                        if article.text[c["start"] : c["end"]] != c.get("text"):
                            raise _Invalid(f"cue {c['start']}-{c['end']} is not {c.get('text')!r}")
                marked = tuple((c["start"], c["end"], c["label"], c["type"]) for c in row["cues"])
            elif claim or hedge:
                raise ValueError(f"{key}: a labeled sentence without marked cues in {cues}")
            yield LabeledSentence(
                text=article.text[start:end],
                doc=f"{WRITTEN}-article:{article.id}",
                corpus=WRITTEN,
                claim=claim,
                hedge=hedge,
                types=types,
                cues=tuple((a - start, b - start, lab, t) for a, b, lab, t in marked),
                stratum=WRITTEN,
            )


# --------------------------------------------------------------------------- NLTK


def nltk_english_punkt(root: Path = DEFAULT_DATA_ROOT):
    """NLTK's own English Punkt from ``root``/nltk_data (dev and comparison only: the product
    ships its own parameters); FileNotFoundError, in one line, when it is not there."""
    import nltk

    folder = Path(root) / "nltk_data"
    nltk.data.path.insert(0, str(folder))
    try:
        return nltk.tokenize.PunktTokenizer("english")
    except LookupError:  # NLTK's many-line "Resource punkt_tab not found" banner
        raise FileNotFoundError(
            f"no NLTK English Punkt (tokenizers/punkt_tab/english) under {folder} nor in "
            "NLTK's other data folders"
        ) from None


# --------------------------------------------------------------------------- lexicons


def load_vader_valence(root: Path = DEFAULT_DATA_ROOT, min_abs: float = 1.0) -> dict[str, float]:
    """Word -> mean valence from VADER's lexicon (Hutto & Gilbert 2014, MIT), |valence| >= min_abs.

    Only single lower-case words are kept (no emoticons): they are what our tokens can match.
    """
    import zipfile

    path = Path(root) / VADER_LEXICON
    with zipfile.ZipFile(path) as zf:
        raw = zf.read("vader_lexicon/vader_lexicon.txt").decode("utf-8", "replace")
    out = {}
    for line in raw.splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not re.fullmatch(r"[a-z]+(?:['-][a-z]+)*", parts[0]):
            continue
        value = float(parts[1])
        if abs(value) >= min_abs:
            out[parts[0]] = value
    return dict(sorted(out.items()))
