"""Learn the Punkt sentence-splitting parameters shipped in models/punkt-news.json.

python -m training.segmenter [--data ROOT] [--out PATH]

NLTK's PunktTrainer learns abbreviations, collocations, frequent sentence
starters and orthographic contexts from the Reuters-21578 bodies, seeded with
the news abbreviations below, which training may not drop. Three filters then
adapt what 1987 newswire teaches to news in general:

- a learned abbreviation must look like one (letters with inner periods or
  hyphens), must not be a single letter (Punkt's initials rule handles
  "George W. Bush" and still lets "Plan B." end a sentence), and, unless it is
  dotted ("j.p"), must have ended in a period at least ``MIN_ABBREV_COUNT``
  times (the rare-abbreviation heuristic otherwise keeps ticker symbols and
  words such as "flu");
- a frequent sentence starter must be a word written lower case in at least
  ``MIN_LOWER_SHARE`` of its mid-sentence uses. Punkt ends a sentence after an
  abbreviation when the next word is a frequent starter, and Reuters' starters
  include names and titles ("Treasury", "President", "Reagan") that follow
  "U.S." or "Mr." mid-sentence;
- an orthographic flag (seen upper/lower case at a sentence start, inside a
  sentence, or where unknown) must be backed by a share of the word's uses,
  not by a single one (see ``_ortho_context``).

One flag of caveat's own is added (version 6): ``ORTHO_MID_MOSTLY_LOWER``, set on a
word written lower case in at least ``MIN_LOWER_SHARE`` of its ``MIN_MID_USES`` or
more mid-sentence uses: evidence that such a word, capitalised after "the U.S." or
"Corp.", starts a sentence ("...across the U.K. Ministers deny..."). Its counts are
Punkt's own over the Reuters bodies plus the 371 SemEval-2020 PTC articles (2010s web
news, titles and headline-like lines left out), since 1987 wire copy uses many modern
words too seldom to count ("immigration", "migrants"). Punkt's own flags stay Reuters'
alone: learned from both, they changed no case of tests/data, and of 103 boundaries
they moved in Reuters 29 for the worse (PTC's title-case book names give "Final" an
upper-case mid-sentence flag at the 2 % share, so "...pays 1/2 pct. Final terms
will..." no longer split) and 4 labeled articles would have been cut anew.

The output is deterministic (sorted keys and lists), so a retrain on the same
data with the same NLTK reproduces the file byte for byte.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import nltk
from nltk.tokenize.punkt import _ORTHO_MAP, PunktParameters, PunktTrainer

from service.analysis.segment import (
    ORTHO_MID_MOSTLY_LOWER,
    _is_headline,
    default_segmenter_path,
    params_to_json,
)
from service.cli import command, input_dir, output_file
from training.datasets import DEFAULT_DATA_ROOT, iter_ptc, iter_reuters, require_corpora

#: Bump when the curated lists, the filters or the training text change.
VERSION = "6"

# Curated news abbreviations, lower case, without the final period.
TITLES = (
    "adm amb atty capt cmdr col cpl dr gen gov hon insp lt maj messrs mr mrs ms msgr "
    "pres prof pvt rep reps rev sen sens sgt supt "
    "ald asst assoc brig const det ens fr gens govs pfc spc"
)
MONTHS = "jan feb mar apr jun jul aug sep sept oct nov dec"
# "sat", "sun" and "wed" are left out: they end sentences as words.
WEEKDAYS = "mon tue tues thu thur thurs fri"
# Traditional (AP) state abbreviations. "ill", "mass", "miss" and "wash" are also
# words; they are kept because datelines ("SPRINGFIELD, Ill. (AP)") need them, and
# a sentence ending in one still splits when a lower-case-known word follows.
STATES = (
    "ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss "
    "mo mont neb nev okla ore pa tenn tex va vt wash wis wyo "
    "d.c n.c n.d n.h n.j n.m n.y r.i s.c s.d w.va"
)
# Canadian provinces ("Ont.", "Que.") and street, township and room labels, for local news.
PLACES = (
    "u.s u.s.a u.n u.k e.u u.a.e u.s.s.r st ste ft mt ave blvd hwy rte rd ln pkwy hts twp "
    "bldg rm sq dist univ ont que alta sask"
)
BUSINESS = (
    "inc corp co cos ltd bros assn dept govt intl natl mfg est pct mln bln dlrs cts approx "
    "jr sr vol fig ext"
)
# "v" (versus, "Roe v. Wade") is the one single letter: a name follows it.
# "cir" is a court's circuit ("the 9th Cir.") as well as a street's circle.
OTHER = "a.m p.m vs v etc e.g i.e cf al a.k.a ph.d cir"
CURATED_ABBREVIATIONS = frozenset(
    " ".join((TITLES, MONTHS, WEEKDAYS, STATES, PLACES, BUSINESS, OTHER)).split()
)
# "No.", "Nos.", "Art." and "Sec." are abbreviations only before a number; as
# abbreviations they would stop "They said no. Smith left." from splitting, so
# they are collocations with the number type instead (Punkt's "##number##").
#
# Names whose second word Reuters writes in lower case inside a sentence and capitalised
# there in under 2 % of its uses ("open" 12 of 788, "border", "secret", "competition"): the
# orthographic heuristic would end the sentence after the abbreviation ("the U.S. | Open in
# 2021"), so the pairs are collocations too. Other names after "U.S." ("Army", "Forest
# Service", "Steel") keep together on the orthographic evidence alone.
NAME_COLLOCATIONS = frozenset(
    {("u.s", "open"), ("u.s", "border"), ("u.s", "secret"), ("u.k", "competition")}
)
CURATED_COLLOCATIONS = NAME_COLLOCATIONS | frozenset(
    (word, "##number##") for word in ("no", "nos", "n", "art", "sec", "ch", "p", "pp")
)
# The pronoun "I" is a frequent sentence starter that the lower-case test below
# would drop, since it is capitalised everywhere. Sentence adverbs start sentences and
# never continue a name, but 1987 wire copy opened too few sentences with them for
# training to learn them, and most are rare or seen capitalised after a colon or a
# quote, so "...in the U.S. Moreover, ..." did not split.
CURATED_SENT_STARTERS = frozenset(
    """
    i indeed besides nevertheless nonetheless moreover furthermore additionally likewise
    similarly consequently accordingly hence finally ultimately eventually fortunately
    unfortunately importantly specifically afterward afterwards perhaps maybe
    """.split()
)

#: A learned, undotted abbreviation must have ended in a period this often.
MIN_ABBREV_COUNT = 5
#: A word's orthographic flag is kept when at least this share of its uses in that
#: position (sentence start, middle, unknown) have that case. See _ortho_context.
MIN_ORTHO_SHARE = 0.02
#: Mid-sentence uses a word needs before its flags are trusted. See _ortho_context.
MIN_ORTHO_EVIDENCE = 20
#: Share of mid-sentence uses a frequent sentence starter must write in lower case.
MIN_LOWER_SHARE = 0.9
#: ... counted over at least this many mid-sentence uses.
MIN_MID_USES = 20
#: Reuters bodies with more upper-case letters than this share are all-caps wires.
MAX_UPPER_SHARE = 0.5
#: Characters of training text per PunktTrainer.train call (bounds memory).
CHUNK_CHARS = 1_000_000

# Each flag's position ("initial", "internal", "unknown"), from NLTK's own table.
_POSITION_OF = {flag: position for (position, _case), flag in _ORTHO_MAP.items()}
_MID_UPPER = _ORTHO_MAP["internal", "upper"]
_MID_LOWER = _ORTHO_MAP["internal", "lower"]
_ABBREV_SHAPE = re.compile(r"[^\W\d_]+(?:[.'-][^\W\d_]+)*")
_WORD = re.compile(r"[^\W\d_][\w'-]*")
_ENDS_SENTENCE = re.compile(r"[.?!:;\"'”’)]$")


class _CountingParameters(PunktParameters):
    """PunktParameters that also count how often each word is seen in each orthographic context."""

    def __init__(self) -> None:
        super().__init__()
        self.ortho_counts: Counter[tuple[str, int]] = Counter()

    def add_ortho_context(self, typ: str, flag: int) -> None:
        """Set the flag as Punkt does, and count it."""
        # Called once per training token: written out rather than via super() for speed.
        self.ortho_context[typ] |= flag
        self.ortho_counts[typ, flag] += 1


class _NewsTrainer(PunktTrainer):
    """PunktTrainer that starts from curated abbreviations, never drops them, counts contexts."""

    def __init__(self, curated: Iterable[str]) -> None:
        super().__init__()
        self._curated = frozenset(curated)
        self._params = _CountingParameters()
        self._params.abbrev_types.update(self._curated)

    def _reclassify_abbrev_types(self, types):
        # Punkt drops an abbreviation that also occurs without a period ("no",
        # "est", "co"); a curated one stays, whatever the counts say.
        for abbr, score, is_add in super()._reclassify_abbrev_types(types):
            if is_add or abbr not in self._curated:
                yield abbr, score, is_add


def _all_caps(text: str) -> bool:
    """A text with no letter, or with more than ``MAX_UPPER_SHARE`` of its letters upper case
    (a wire story sent in capitals): it would teach that common words are capitalised."""
    letters = sum(map(str.isalpha, text))
    return not letters or sum(map(str.isupper, text)) > MAX_UPPER_SHARE * letters


def training_text(root: Path) -> tuple[str, int]:
    """The Reuters text Punkt learns from, and how many bodies it holds.

    Every Reuters line is a paragraph, so paragraphs are joined with blank
    lines: Punkt then knows a line start is a sentence start. All-caps bodies
    and lines without a lower-case letter (tables, headings) are left out:
    they would teach that common words are written upper case mid-sentence.
    """
    parts: list[str] = []
    documents = 0
    for doc in iter_reuters(root):
        if _all_caps(doc.text):
            continue
        lines = [line for line in doc.text.split("\n") if any(c.islower() for c in line)]
        if lines:
            parts.append("\n\n".join(lines))
            documents += 1
    return "\n\n".join(parts), documents


def ptc_text(root: Path) -> tuple[str, int]:
    """The PTC text counted for the mostly-lower-case flag, and how many articles it holds.

    An article is its title, a blank line, then a sentence a line; each line is made a
    paragraph, as Reuters' are. The title, lines in headline case (subheads) and lines
    without a lower-case letter are left out, as are all-caps articles.
    """
    parts: list[str] = []
    documents = 0
    for doc in iter_ptc(root):
        if _all_caps(doc.text):
            continue
        lines = [line.strip() for line in doc.text.split("\n")[1:]]
        lines = [x for x in lines if any(c.islower() for c in x) and not _is_headline(x)]
        if lines:
            parts.append("\n\n".join(lines))
            documents += 1
    return "\n\n".join(parts), documents


def _chunks(text: str, size: int) -> Iterator[str]:
    """Cut the text at paragraph breaks into pieces of about ``size`` characters."""
    start = 0
    while start < len(text):
        end = text.find("\n\n", start + size)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end


def _mid_sentence_case(text: str, words: set[str]) -> dict[str, tuple[int, int]]:
    """(lower, upper) counts of each word's uses not right after a possible sentence end."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for line in text.split("\n"):
        tokens = line.split()
        for prev, tok in zip(tokens, tokens[1:], strict=False):
            if _ENDS_SENTENCE.search(prev):
                continue
            m = _WORD.match(tok)
            if not m:
                continue
            word = m.group().lower()
            if word in words:
                (lower if tok[0].islower() else upper)[word] += 1
    return {w: (lower[w], upper[w]) for w in words}


def _ortho_context(counts: Counter[tuple[str, int]]) -> dict[str, int]:
    """Orthographic flags with the noise taken out.

    Punkt keeps a flag once a word has been seen in that context once. Over 15
    million characters every common word has been seen in every context once
    (a title "The" mid-sentence, a lower-case word after a missed
    abbreviation), and the orthographic heuristic then never decides. Here a
    flag needs ``MIN_ORTHO_SHARE`` of the word's uses in its position.

    A word seen fewer than ``MIN_ORTHO_EVIDENCE`` times mid-sentence keeps all
    its flags, plus "upper case mid-sentence": so few uses do not show that it
    is never capitalised inside a sentence, and after an abbreviation a rare
    capitalised word is more often part of a name ("U.S. Immigration and
    Customs Enforcement") than a sentence start.
    """
    totals: Counter[tuple[str, str]] = Counter()
    for (typ, flag), n in counts.items():
        totals[typ, _POSITION_OF[flag]] += n
    flags: dict[str, int] = {}
    for (typ, flag), n in counts.items():
        rare = totals[typ, "internal"] < MIN_ORTHO_EVIDENCE
        if rare:
            flags[typ] = flags.get(typ, 0) | flag | _MID_UPPER
        elif n >= MIN_ORTHO_SHARE * totals[typ, _POSITION_OF[flag]]:
            flags[typ] = flags.get(typ, 0) | flag
    return flags


def _mostly_lower(counts: Counter[tuple[str, int]]) -> set[str]:
    """Words written lower case in at least ``MIN_LOWER_SHARE`` of their mid-sentence uses,
    counted over at least ``MIN_MID_USES`` of them."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for (typ, flag), n in counts.items():
        if flag == _MID_LOWER:
            lower[typ] += n
        elif flag == _MID_UPPER:
            upper[typ] += n
    return {
        typ
        for typ, n in lower.items()
        if n + upper[typ] >= MIN_MID_USES and n >= MIN_LOWER_SHARE * (n + upper[typ])
    }


def _trained(text: str) -> _NewsTrainer:
    trainer = _NewsTrainer(CURATED_ABBREVIATIONS)
    # Training makes millions of short-lived tokens and no reference cycles: the
    # cyclic collector would only rescan them (about 15 % of the run time).
    gc.disable()
    try:
        for chunk in _chunks(text, CHUNK_CHARS):
            trainer.train(chunk, finalize=False)
        trainer.finalize_training()
    finally:
        gc.enable()
    return trainer


def learn(text: str, more_case_text: str = "") -> tuple[PunktParameters, dict[str, int]]:
    """Train Punkt on ``text`` and filter what it learned; also return counts for the header.

    ``more_case_text`` adds its mid-sentence case counts to those of ``text`` for the
    mostly-lower-case flag, and teaches Punkt nothing else.
    """
    trainer = _trained(text)
    params = trainer.get_params()
    type_counts = trainer._type_fdist  # the type frequencies Punkt counted (no public accessor)

    learned_abbrevs = params.abbrev_types - CURATED_ABBREVIATIONS
    kept_abbrevs = {
        a
        for a in learned_abbrevs
        if _ABBREV_SHAPE.fullmatch(a)
        and len(a) > 1
        and ("." in a or type_counts[a + "."] >= MIN_ABBREV_COUNT)
    }
    case = _mid_sentence_case(text, set(params.sent_starters))
    kept_starters = set()
    for word, (lower, upper) in case.items():
        if lower + upper >= MIN_MID_USES and lower >= MIN_LOWER_SHARE * (lower + upper):
            kept_starters.add(word)

    out = PunktParameters()
    out.abbrev_types = kept_abbrevs | CURATED_ABBREVIATIONS
    out.collocations = set(params.collocations) | CURATED_COLLOCATIONS
    out.sent_starters = kept_starters | CURATED_SENT_STARTERS
    out.ortho_context = _ortho_context(params.ortho_counts)
    case_counts = Counter(params.ortho_counts)
    if more_case_text:
        case_counts.update(_trained(more_case_text).get_params().ortho_counts)
    mostly_lower = _mostly_lower(case_counts)
    for typ in mostly_lower:
        out.ortho_context[typ] = out.ortho_context.get(typ, 0) | ORTHO_MID_MOSTLY_LOWER
    counts = {
        "abbreviations_learned": len(learned_abbrevs),
        "abbreviations_kept": len(kept_abbrevs),
        "sent_starters_learned": len(params.sent_starters),
        "sent_starters_kept": len(kept_starters),
        "mostly_lower_words": len(mostly_lower),
    }
    return out, counts


def build(root: Path) -> str:
    """The parameters file's contents for the corpora under ``root``."""
    text, documents = training_text(root)
    case_text, case_documents = ptc_text(root)
    params, counts = learn(text, case_text)
    header = {
        "version": VERSION,
        "nltk_version": nltk.__version__,
        "training": {
            "corpus": "reuters21578",
            "documents": documents,
            "characters": len(text),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            **counts,
        },
        # Counted with the Reuters text for the mostly-lower-case flag, and for nothing else.
        "case_counts_also": {
            "corpus": "semeval2020-ptc",
            "documents": case_documents,
            "characters": len(case_text),
            "sha256": hashlib.sha256(case_text.encode("utf-8")).hexdigest(),
        },
        "curated": {
            "abbreviations": len(CURATED_ABBREVIATIONS),
            "collocations": len(CURATED_COLLOCATIONS),
            "sent_starters": len(CURATED_SENT_STARTERS),
        },
    }
    return params_to_json(params, header)


@command
def main(argv: list[str] | None = None) -> None:
    """Train and write the parameters file."""
    ap = argparse.ArgumentParser(
        prog="python -m training.segmenter", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--data", type=input_dir, default=DEFAULT_DATA_ROOT, help="corpora root")
    ap.add_argument(
        "--out", type=output_file, default=default_segmenter_path(), help="JSON to write"
    )
    args = ap.parse_args(argv)
    require_corpora(args.data, "reuters21578", "semeval2020-ptc")
    content = build(args.data)
    # newline="" writes "\n" on every platform, so the bytes (and the hash) are the same.
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        fh.write(content)
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    print(f"wrote {args.out} (sha256 {digest})", file=sys.stderr)


if __name__ == "__main__":
    main()
