"""Sentences with exact offsets: NLTK's Punkt, with parameters the project trains and ships.

The parameters come from ``models/punkt-news.json`` (``python -m training.segmenter``),
so nothing is downloaded and no NLTK data folder is read. ``Segmenter.split``
applies these rules, in this order:

1. **Lines.** Every line break ends a sentence: a heading, a byline or a
   ``Q: ...`` line is a sentence of its own. Line breaks are those of
   ``str.splitlines`` (``\\n``, ``\\r\\n``, a lone ``\\r``, ``\\v``, ``\\f``,
   ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029).
2. **Paragraphs.** A run of one or more blank lines (only whitespace) starts a
   new paragraph; the first paragraph with text is 0, whatever precedes it.
3. **Punkt** decides the boundaries inside a line: abbreviations (U.S., Dr.,
   Inc., p.m.), initials (J. R. R. Tolkien), decimals (5.93) and ellipses (...)
   do not end a sentence unless the next word looks like a sentence start.
   A closing quote or bracket after the final mark stays in the sentence.
   Rules are added to Punkt's own (see ``_NewsPunkt``): a capital initial
   before a name-like word stays in the sentence (George W. Bush);
   letter-period runs (H.R., N.Y.C.) are abbreviations even if training never
   saw them; an abbreviation before a word of an uncased script (Chinese,
   Japanese, Hebrew, Arabic) ends the sentence; an abbreviation or an ellipsis
   before a capitalised function word ends it ("in the U.S. We"); a clock
   time ends it before a capitalised word that is not its zone, day or month
   ("5 p.m. Turnout", not "8 p.m. ET"); "No." before a digit or a case code
   never does; "etc." before a capitalised word does.
4. **Refinements** around Punkt:
   - an abbreviation, closing quotes, then a word is decided as if the quotes
     were not there: ``"We stay in the U.S." The firm...`` splits after the
     quote (Punkt itself only sees the quote after "U.S." and never splits);
   - an abbreviation that ends a name, a company's ("Inc.", "Corp.", "Ltd.", "Co."),
     a street's ("Ave.", "Rd.", "Twp.") or a country's after "the" ("the U.S.", "the
     U.K.", "the U.N.", "the E.U."), ends the sentence before a capitalised word that
     training found written lower case in at least 90 % of its mid-sentence uses, when
     a lower-case word follows: "...across the U.K. Ministers deny the charge." splits,
     "Acme Corp. Chief Executive Dana Lee", "the U.N. Conference on Trade" and "the
     U.S. Treasury said" do not. A text that capitalises such a word after a
     country's initials with no "the" ("high U.K. Interest rates", as 1987 wire copy
     did) gets no split after its initials;
   - a ``?`` or ``!`` (and closing quotes) followed by a lower-case word, a dash
     and a lower-case word, or who said it does not end the sentence: ``"Why
     now?" she asked.`` and ``"Who benefits?" Senator Ruiz asked.`` are one
     sentence each;
   - a headline line (no final mark, no ``?`` or ``!``, its long words mostly
     capitalised) is one sentence, whatever its abbreviations;
   - ``…`` ends a sentence before a capitalised sentence starter or function
     word; a court's spaced ``. . .`` is read as ``...``;
   - a list number or letter opening a line (``1.``, ``b.``, ``iv.``, ``Q.``)
     is not a sentence of its own: ``1. Mix the flour.`` is one sentence;
   - CJK full stops ``。！？｡`` end a sentence even with no space after them
     (Chinese and Japanese put none); a closing bracket or quote after them
     stays in the sentence.
5. **Length guard.** A sentence longer than ``MAX_SENTENCE_CHARS`` (5,000) is
   cut into pieces of at most that many characters, at the last whitespace of
   its second half, or, when there is none, at a code point that does not
   split a combining sequence, so that downstream features stay bounded. Lines
   longer than ``4 * MAX_SENTENCE_CHARS`` are fed to Punkt window by window;
   the last, possibly unfinished, sentence of a window is re-read with the
   next one, so windows change no boundary. Time stays linear in the length.

Offsets are code point offsets into the text as given: ``text[s.start:s.end]``
is the sentence, and it never starts or ends with whitespace (``str.isspace``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nltk import redos
from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer

#: The ``format`` field of a parameters file this module reads and writes.
PARAMS_FORMAT = "caveat-punkt-params/1"
#: Longest sentence handed downstream; longer ones are cut (rule 5 above).
MAX_SENTENCE_CHARS = 5_000
#: Longest piece of a line given to Punkt in one call (rule 5 above).
WINDOW_CHARS = 4 * MAX_SENTENCE_CHARS  # 4 x the guard of the Segmenter in use

# A line without one of these is one sentence: no need to run Punkt on it.
_PUNKT_MARK = re.compile(r"[.?!]")
_CJK_MARK = re.compile(r"[。！？｡]")
# A CJK stop run and the closing brackets and quotes that belong to its sentence.
_CJK_STOP = re.compile(r"[。！？｡]+[」』）】〕〉》”’\"')\]]*")
# Closing quotes and brackets that may follow a sentence's final mark.
_CLOSERS = frozenset("\"'”’»)]")
# A word ending in a period and closing quotes or brackets, then the next word. The
# lookbehind starts a match only at a word's start, which keeps the scan linear.
_CLOSED_PERIOD = re.compile(r"(?<!\S)(\S*\.)([\"'”’»)\]]+)\s+(\S+)")
# Two or more letters each followed by a period: U.S. H.R. p.m.
_LETTER_PERIODS = re.compile(r"(?:[^\W\d_]\.){2,}")
# A list marker: 1. 12) (3) a. B) iv.
_LIST_MARKER = re.compile(r"\(?(?:\d{1,3}|[A-Za-z]|[ivxIVX]{2,4})[.)]")
#: Words that begin sentences but never continue a name: pronouns, articles, conjunctions,
#: number words, sentence adverbs. After an abbreviation that may end a sentence ("in the
#: U.S.", "Acme Inc."), a capitalised one starts the next sentence. Punkt's learned starters
#: (``sent_starters``) miss most of them, because 1987 wire copy seldom began with them.
_FUNCTION_STARTERS = frozenset(
    """
    we you our your my their his her its they he she it a an in on at for from with by as
    so then now still also instead thus yet nobody everyone everybody nothing none few all
    any every two three four five six seven eight nine ten what why how when where who whose
    which here that those such only even once after before during until unlike though because
    """.split()
)
#: Time zones: "8 p.m. ET" is one time, though "et" is also a (Latin) word.
_TIME_ZONES = frozenset(
    "et est edt ct cst cdt mt mst mdt pt pst pdt gmt bst cet cest utc jst ist aest".split()
)
#: Capitalised words that may follow a clock time inside its sentence ("5 p.m. Friday").
_AFTER_A_TIME = _TIME_ZONES | frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    fri sat sun jan feb mar apr may jun jul aug sep sept oct nov dec january february march
    april june july august september october november december eastern pacific central
    mountain greenwich local
    """.split()
)
#: Abbreviations that are a number's label ("No. 23-cr-104", "Sec. 230(c)"): never a
#: sentence's end before a token that starts with a digit (or, capitalised, holds one).
_NUMBER_LABELS = frozenset({"no", "nos", "art", "sec"})
#: caveat's own orthographic flag, beside NLTK's six (2 to 64), set by training.segmenter:
#: the word is written lower case in at least 90 % of its 20 or more mid-sentence uses.
ORTHO_MID_MOSTLY_LOWER = 128
#: Abbreviations that end a name, a company's, a country's or a street's, and so may end a
#: sentence (see ``Segmenter._split_abbreviation_ends``). Not titles ("Dr. Rice"), nor "St.",
#: "Mt." and "Ft." (Saint, Mount and Fort open names: "St. Cloud"), nor "Jr." and "Bros."
#: ("King Jr. Day", "Warner Bros. Discovery"), nor "D.C." and the states, whose dev cases
#: had no such word after them.
_ENDS_A_NAME = frozenset("inc corp co cos ltd u.s u.k u.n e.u ave blvd rd ln pkwy twp".split())
#: A country's or a union's initials end a sentence as a noun, after "the" ("...in the
#: U.S."); without it they qualify the next word ("U.S. banks", which 1987 Reuters copy
#: writes "U.S. Banks").
_INITIALS_AS_NOUN = frozenset({"u.s", "u.k", "u.n", "e.u"})
# "the" after another word of its sentence, at the end of a stretch of text: "in the ". A
# sentence that opens with "The U.S." is not one that "U.S." ends.
_THE_BEFORE = re.compile(r"\w\s+the\s+$")
#: Lower-case words that go on with a name ("U.N. Conference on Trade and Development").
_NAME_JOINERS = frozenset("of for and on de du des del la le van von der y".split())
# A period, a word and the next word: ". Importers say" in "the U.S. Importers say". (The
# period first: a scan for the word before it at every word was ten times slower.)
_PERIOD_THEN_WORDS = re.compile(r"\.\s+([^\W\d_][^\W\d_'’-]*)\s+([^\W\d_]+)")
# A country's initials, a word and the next word: "U.K. Interest rates". The match starts
# at the initials' last period (found first, it is five times faster than at the "U").
_INITIALS_THEN_WORDS = re.compile(
    r"\.(?<=(?<![\w.])(?:U\.S|U\.K|U\.N|E\.U)\.)\s+([^\W\d_][^\W\d_'’-]*)\s+([^\W\d_]+)"
)
# Opening quotes and brackets before a word.
_OPENERS = "\"'“‘(["
# How far back from its period the word of ``_ENDS_A_NAME`` may start, with two openers.
_LONGEST_OPENED_ABBREV = max(map(len, _ENDS_A_NAME)) + 2
# The next word of a Punkt context (after whitespace) when it ends in a final mark and
# closing quotes or brackets: "Patel.”" in "Dr. Patel.”".
_CLOSED_FINAL_WORD = re.compile(r"(\s\S*[.?!])[\"'”’»)\]]+$")
# Three spaced periods after a word (". . ."), a court opinion's ellipsis.
_SPACED_ELLIPSIS = re.compile(r"(?<=\S) \. \. \.(?=\s|$)")
# The ellipsis character, closing quotes or brackets, and the next word.
_ELLIPSIS_CHAR = re.compile(r"…([\"'”’»)\]]*)\s+(\S+)")
# A mark inside a line that Punkt or the ellipsis rule could split at.
_HEADLINE_MARK = re.compile(r"[.…]")
# A line that ends as a sentence does ends in one of these (and any closers).
_FINAL_MARKS = frozenset(".?!:;…")
# A word of four letters or more, for telling a headline line.
_LONG_WORD = re.compile(r"[^\W\d_][\w'’.-]{3,}")
_SPEECH_VERBS = (
    "said|says|asked|asks|wrote|writes|added|adds|told|tells|yelled|shouted|tweeted|posted|"
    "replied|recalled|wondered|insisted|countered|testified|declared|exclaimed|warned"
)
# Who spoke, after a quoted question or exclamation: "Who benefits?" Senator Ruiz asked.
# The verb ends the clause; "The minister said no." is a sentence of its own.
_ATTRIBUTION = re.compile(
    r"(?:[A-Z][\w.'’-]*\s+){1,4}(?:" + _SPEECH_VERBS + r")(?=[\"'”’»)\]]*(?:[.,;:!?]|$))"
)
# A dash and a lower-case word that go on with the sentence: "See you in court!" — went viral.
_DASH_THEN_WORD = re.compile(r"(?:—|–|--)\s*([^\W\d_])")
# The parameter fields of a parameters file; everything else in it is the header.
_PARAM_KEYS = frozenset({"abbrev_types", "collocations", "sent_starters", "ortho_context"})
# How many code points a hard cut may step back to avoid splitting a combining sequence.
_MAX_CLUSTER_BACKOFF = 32


@dataclass(frozen=True)
class Span:
    """One sentence: ``text[start:end]``, stripped; ``paragraph`` counts blank-line runs."""

    start: int
    end: int
    paragraph: int


class _OrthoContext(dict):
    """Punkt's orthographic-context table; an unseen word reads as 0 and is not stored.

    PunktParameters uses a defaultdict, which stores every unseen word it is asked
    about: in a long-running service that grows without bound, and it makes the
    shared parameters mutable across request threads.
    """

    def __missing__(self, key: str) -> int:
        return 0


class _LanguageVars(PunktLanguageVars):
    """NLTK's English language variables, with the period-context scan untimed.

    NLTK 3.10 runs every pattern under a 5 s wall-clock limit that also counts
    the time spent between matches, so a long text on a busy server can fail
    with TimeoutError. The pattern is NLTK's own and linear, and the windows of
    ``Segmenter.split`` bound each scan, so the limit only adds spurious failures.
    """

    __slots__ = ("_untimed_period_context",)

    def period_context_re(self) -> redos.TimedPattern:
        """The period-context pattern without a time limit."""
        try:
            return self._untimed_period_context
        except AttributeError:
            self._untimed_period_context = redos.compile(super().period_context_re(), timeout=None)
            return self._untimed_period_context


class _NewsPunkt(PunktSentenceTokenizer):
    """Punkt with three more rules, for what its orthographic evidence cannot see.

    - Middle initials: Punkt keeps "W." inside "George W. Bush" only when "Bush"
      has never been seen in lower case, so names that are also words ("bush",
      "rice", "brown") end a sentence. Here a capital initial before a
      capitalised word that neither the orthographic evidence nor the
      sentence-starter list marks as a sentence start is part of a name.
      "Plan B. The vote..." still splits: "The" starts sentences.
    - Letter-period runs ("H.R.", "N.Y.C.") are abbreviations even when training
      never saw them; whether one ends a sentence is then decided like any
      other abbreviation's.
    - Uncased scripts: after an abbreviation Punkt splits only on evidence from
      letter case, which Chinese, Japanese, Hebrew or Arabic words do not have;
      an English abbreviation followed by such a word ends the sentence
      ("The Nikkei rose 2 pct. 日経平均は...").
    - Function words: an abbreviation or an ellipsis before a capitalised word of
      ``_FUNCTION_STARTERS`` ends the sentence ("...in the U.S. We expect...").
    - Clock times: "a.m." or "p.m." before a time zone stays in the sentence ("8 p.m.
      ET"); before any other capitalised word but a day, a month or a zone's name, it
      ends it ("...at 4:15 p.m. Weather looks fine.").
    - Number labels: "No.", "Nos.", "Art." and "Sec." before a token that starts with a
      digit never end a sentence ("case No. 23-cr-104"); capitalised, nor before a token
      that holds one ("suit No. FHC/L/CS/902/2023"). A lower-case "no." before a code is
      still an answer that ends the sentence ("voted no. G7 ministers...").
    - "etc." before a capitalised word ends the sentence ("...books, etc. Entry is
      free."); a list that goes on after it goes on in lower case.
    - A quoted last word: Punkt decides a candidate end from its context, the word, the
      mark and the next word, and ignores the next word's own period; but a next word
      such as ``Patel.”`` is two tokens, so its period counted and ``“I trust Dr.
      Patel.”`` split after "Dr.". The next word's closers are left out of the context
      (a closer right after the mark itself, ``pays?"``, is kept: it is how Punkt sees
      that ``"Who pays?" That...`` ends there).

    These hooks are NLTK internals (nltk is pinned in requirements.txt); the
    case file in tests/data/segment_cases.jsonl exercises each rule.
    """

    def text_contains_sentbreak(self, text: str) -> bool:
        """Punkt's test with closers after the context's last word left out (see above)."""
        return super().text_contains_sentbreak(_CLOSED_FINAL_WORD.sub(r"\1", text))

    def _first_pass_annotation(self, aug_tok):
        super()._first_pass_annotation(aug_tok)
        if aug_tok.sentbreak and _LETTER_PERIODS.fullmatch(aug_tok.tok):
            aug_tok.sentbreak = False
            aug_tok.abbr = True

    def _second_pass_annotation(self, aug_tok1, aug_tok2):
        reason = super()._second_pass_annotation(aug_tok1, aug_tok2)
        if aug_tok2 is None or not aug_tok1.period_final:
            return reason
        first = aug_tok2.tok[0]
        if (
            aug_tok1.abbr
            and not aug_tok1.sentbreak
            and not aug_tok1.is_initial
            and first.isalpha()
            and not first.isupper()
            and not first.islower()
        ):
            aug_tok1.sentbreak = True
            return "abbreviation before an uncased script"
        if (
            aug_tok1.sentbreak
            and aug_tok1.is_initial
            and aug_tok1.tok[0].isupper()
            and aug_tok2.first_upper
            and aug_tok2.type_no_sentperiod not in self._params.sent_starters
            and self._ortho_heuristic(aug_tok2) == "unknown"
        ):
            aug_tok1.sentbreak = False
            aug_tok1.abbr = True
            return "initial before a name"
        label = aug_tok1.type_no_period
        if label in ("a.m", "p.m"):
            following = aug_tok2.type_no_sentperiod
            if following in _TIME_ZONES:
                aug_tok1.sentbreak = False
                return "a clock time and its zone"
            if aug_tok2.first_upper and following not in _AFTER_A_TIME:
                aug_tok1.sentbreak = True
                return "a clock time before a capitalised word"
            return reason
        if label in _NUMBER_LABELS and (
            aug_tok2.tok[0].isdigit()
            or (aug_tok1.tok[0].isupper() and any(c.isdigit() for c in aug_tok2.tok))
        ):
            aug_tok1.sentbreak = False
            aug_tok1.abbr = True
            return "a number's label"
        if label == "etc" and aug_tok2.first_upper:
            aug_tok1.sentbreak = True
            return "etc. before a capitalised word"
        if (
            (aug_tok1.abbr or aug_tok1.ellipsis)
            and not aug_tok1.sentbreak
            and aug_tok2.first_upper
            and aug_tok2.type_no_sentperiod in _FUNCTION_STARTERS
        ):
            aug_tok1.sentbreak = True
            return "abbreviation or ellipsis before a function word"
        return reason


def default_segmenter_path() -> Path:
    """``models/punkt-news.json`` in this project."""
    return Path(__file__).resolve().parents[2] / "models" / "punkt-news.json"


def params_to_json(params: PunktParameters, header: Mapping[str, object]) -> str:
    """Serialise Punkt parameters and a header deterministically (sorted, one entry a line)."""
    doc = dict(header)
    doc.update(
        format=PARAMS_FORMAT,
        abbrev_types=sorted(params.abbrev_types),
        collocations=sorted([a, b] for a, b in params.collocations),
        sent_starters=sorted(params.sent_starters),
        ortho_context={k: v for k, v in sorted(params.ortho_context.items()) if v},
    )
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=True) + "\n"


def params_from_json(doc: Mapping[str, object]) -> PunktParameters:
    """Build PunktParameters from a parsed parameters file; ValueError when it is not one."""
    if not isinstance(doc, Mapping) or doc.get("format") != PARAMS_FORMAT:
        raise ValueError(f"not a {PARAMS_FORMAT} document")
    params = PunktParameters()
    params.abbrev_types = set(_strings(doc, "abbrev_types"))
    params.sent_starters = set(_strings(doc, "sent_starters"))
    pairs = doc.get("collocations")
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(w, str) for w in p) for p in pairs
    ):
        raise ValueError("collocations must be a list of [word, word] pairs")
    params.collocations = {(a, b) for a, b in pairs}
    ortho = doc.get("ortho_context")
    if not isinstance(ortho, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in ortho.values()
    ):
        raise ValueError("ortho_context must map words to integer flags")
    params.ortho_context = _OrthoContext(ortho)
    return params


def _strings(doc: Mapping[str, object], key: str) -> list[str]:
    value = doc.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of strings")
    return value


class Segmenter:
    """Splits text into sentences with exact offsets; read-only, so threads may share one."""

    def __init__(
        self,
        params: PunktParameters,
        header: Mapping[str, object] | None = None,
        max_sentence_chars: int = MAX_SENTENCE_CHARS,
    ) -> None:
        if max_sentence_chars < 2:
            raise ValueError("max_sentence_chars must be at least 2")
        if not isinstance(params.ortho_context, _OrthoContext):
            params.ortho_context = _OrthoContext(params.ortho_context)
        self.params = params
        #: The parameters file's header (version, training hash, NLTK version), for the model card.
        self.header = dict(header or {})
        self.max_sentence_chars = max_sentence_chars
        # Longer than any sentence the guard lets through, so a held-back one always ends.
        self._window = 4 * max_sentence_chars
        # Passing parameters (not text) as the first argument makes Punkt use them as they are.
        self._punkt = _NewsPunkt(params, lang_vars=_LanguageVars())

    @classmethod
    def load(cls, path: str | Path) -> Segmenter:
        """Read a parameters file written by ``python -m training.segmenter``."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        params = params_from_json(doc)
        header = {k: v for k, v in doc.items() if k not in _PARAM_KEYS}
        return cls(params=params, header=header)

    def split(self, text: str) -> list[Span]:
        """The sentences of ``text`` in order, with code point offsets and paragraph numbers."""
        initials_end = not self._capitalises_after_initials(text)
        spans: list[Span] = []
        paragraph = 0
        seen_text = blank_since = False
        pos = 0
        for line in text.splitlines(keepends=True):
            line_start = pos
            pos += len(line)
            body = line.strip()
            if not body:
                blank_since = seen_text
                continue
            if blank_since:
                paragraph += 1
                blank_since = False
            seen_text = True
            offset = line_start + len(line) - len(line.lstrip())
            for start, end in self._split_line(body, initials_end):
                spans.append(Span(offset + start, offset + end, paragraph))
        return spans

    # ------------------------------------------------------------------ one line

    def _split_line(self, line: str, initials_end: bool) -> list[tuple[int, int]]:
        """Sentence offsets in a stripped, non-empty line with no line break."""
        if len(line) <= self._window and _is_headline(line):
            found = [(0, len(line))]
        elif len(line) <= self._window:
            found = self._sentences(line, True, initials_end)
        else:
            found = self._sentences_windowed(line, initials_end)
        limit = self.max_sentence_chars
        if all(end - start <= limit for start, end in found):
            return found
        out: list[tuple[int, int]] = []
        for start, end in found:
            out.extend(_cut_long(line, start, end, limit))
        return out

    def _sentences_windowed(self, line: str, initials_end: bool) -> list[tuple[int, int]]:
        """``_sentences`` over a long line, window by window, re-reading each window's last one."""
        out: list[tuple[int, int]] = []
        pos, n = 0, len(line)
        while pos < n:
            if n - pos <= self._window:
                out.extend(_shift(self._sentences(line[pos:], pos == 0, initials_end), pos))
                break
            end = _window_end(line, pos, pos + self._window)
            found = _shift(self._sentences(line[pos:end], pos == 0, initials_end), pos)
            stop = end - self.max_sentence_chars
            if len(found) > 1:
                out.extend(found[:-1])
                found = found[-1:]
                if found[0][0] >= stop:
                    # The last one may go on past the window: read it again with the next
                    # window, which starts at least 3/4 of a window further on.
                    pos = found[0][0]
                    continue
            # The last (or only) sentence holds more than the length guard of the window: cut
            # pieces off it, and re-read only its last stretch with the next window. (Re-read
            # whole, it moved the window on by as little as it started after the window's
            # start: ". " repeated moved it 4 characters a read of 20,000, for minutes.)
            start = found[0][0] if found else pos
            while True:
                cut = _cut_point(line, start, start + self.max_sentence_chars)
                out.append((start, _rstrip_end(line, start, cut)))
                start = _skip_space(line, cut, n)
                if start >= stop:
                    break
            pos = start
        return out

    def _sentences(
        self, chunk: str, at_line_start: bool, initials_end: bool
    ) -> list[tuple[int, int]]:
        """Punkt plus the refinements on a piece of a line (its offsets, stripped).
        ``initials_end``: "the U.S." may end a sentence before a capitalised word (see
        ``_capitalises_after_initials``)."""
        # ". . ." read as "...", right-aligned so that a sentence ending in it ends where
        # the original does: the same length, so every offset holds for ``chunk``.
        if ". . ." in chunk:
            chunk = _SPACED_ELLIPSIS.sub("   ...", chunk)
        if _PUNKT_MARK.search(chunk):
            found = []
            for start, end in self._punkt.span_tokenize(chunk):
                start = _skip_space(chunk, start, end)
                end = _rstrip_end(chunk, start, end)
                if start < end:
                    found.append((start, end))
            found = self._split_closed_periods(chunk, found)
            found = self._split_abbreviation_ends(chunk, found, initials_end)
            found = _merge_continuations(chunk, found, at_line_start)
        else:
            found = [(_skip_space(chunk, 0, len(chunk)), _rstrip_end(chunk, 0, len(chunk)))]
            found = [(s, e) for s, e in found if s < e]
        if "…" in chunk:
            found = self._split_ellipsis_char(chunk, found)
        if _CJK_MARK.search(chunk):
            found = _split_cjk(chunk, found)
        return found

    def _split_closed_periods(
        self, text: str, spans: list[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        """Decide "in the U.S." The..." as Punkt decides "in the U.S. The...".

        Punkt weighs an abbreviation against the token after it, which here is the
        closing quote, and so never ends a sentence there.
        """
        out: list[tuple[int, int]] = []
        for start, end in spans:
            for m in _CLOSED_PERIOD.finditer(text, start, end):
                if self._punkt.text_contains_sentbreak(f"{m.group(1)} {m.group(3)}"):
                    out.append((start, m.end(2)))
                    start = m.start(3)
            out.append((start, end))
        return out

    def _starts_a_sentence_after_a_name(self, word: str, after: str) -> bool:
        """True when ``word`` (capitalised) then ``after`` read as a new sentence's first two
        words after an abbreviation that ends a name (see ``_split_abbreviation_ends``)."""
        return (
            len(word) > 1
            and word[0].isupper()
            and word[1:].islower()
            and after.islower()
            and after not in _NAME_JOINERS
            and bool(self.params.ortho_context[word.lower()] & ORTHO_MID_MOSTLY_LOWER)
        )

    def _capitalises_after_initials(self, text: str) -> bool:
        """True when ``text`` capitalises such a word after a country's initials where they
        cannot end a sentence, with no "the" before them ("...high U.K. Interest rates",
        as 1987 wire copy wrote): there a capital after "the U.K." shows nothing either.
        Punkt learns from the text it splits in the same way."""
        for m in _INITIALS_THEN_WORDS.finditer(text):
            begin = m.start() - 3  # the initials' first letter
            if self._starts_a_sentence_after_a_name(
                m.group(1), m.group(2)
            ) and not _THE_BEFORE.search(text, max(0, begin - 8), begin):
                return True
        return False

    def _split_abbreviation_ends(
        self, text: str, spans: list[tuple[int, int]], initials_end: bool
    ) -> list[tuple[int, int]]:
        """End a sentence at an abbreviation that ends a name (``_ENDS_A_NAME``) before a
        capitalised word that is written lower case inside sentences
        (``ORTHO_MID_MOSTLY_LOWER``) and is followed by a lower-case word: "...across the
        U.K. Ministers deny the charge." Punkt keeps these together because the word has
        been seen capitalised inside a sentence now and then ("Finance Ministers"). A word
        followed by a capitalised word or a joiner is taken to go on with a name ("Corp.
        Chief Executive", "U.N. Conference on Trade"); so is a word capitalised in more than one
        use in ten ("U.S. Treasury said"), and a learned pair ("U.S. Open")."""
        # One scan of the piece, not one a sentence: most sentences hold no candidate.
        found = [
            m
            for m in _PERIOD_THEN_WORDS.finditer(text)
            if self._starts_a_sentence_after_a_name(m.group(1), m.group(2))
        ]
        if not found:
            return spans
        pairs = self.params.collocations
        out: list[tuple[int, int]] = []
        k = 0
        for start, end in spans:
            while k < len(found) and found[k].start() < start:
                k += 1
            while k < len(found) and found[k].end() <= end:
                m = found[k]
                k += 1
                period = m.start()
                begin, floor = period, max(start, period - _LONGEST_OPENED_ABBREV)
                while begin > floor and not text[begin - 1].isspace():
                    begin -= 1
                if begin > start and not text[begin - 1].isspace():
                    continue  # a longer word than any of _ENDS_A_NAME
                abbrev = text[begin:period].lstrip(_OPENERS).lower()
                if (
                    abbrev in _ENDS_A_NAME
                    and (abbrev, m.group(1).lower()) not in pairs
                    and (
                        abbrev not in _INITIALS_AS_NOUN
                        or (initials_end and _THE_BEFORE.search(text, max(start, begin - 8), begin))
                    )
                ):
                    out.append((start, period + 1))
                    start = m.start(1)
            out.append((start, end))
        return out

    def _split_ellipsis_char(
        self, text: str, spans: list[tuple[int, int]]
    ) -> list[tuple[int, int]]:
        """End a sentence at "…" before a word that starts sentences ("strong… Then it
        stalled."): a learned sentence starter or a function word, capitalised. Punkt's
        ellipsis is periods only, so the character never ended a sentence; its other
        evidence (a word never seen capitalised mid-sentence) is not enough here, where
        "…" so often runs on in headlines and posts ("a new hat… SIGNED by ...")."""
        starters = self.params.sent_starters
        out: list[tuple[int, int]] = []
        for start, end in spans:
            for m in _ELLIPSIS_CHAR.finditer(text, start, end):
                word = m.group(2)
                key = word.lower().rstrip(".,;:!?\"'”’»)]")
                if word[0].isupper() and (key in _FUNCTION_STARTERS or key in starters):
                    out.append((start, m.end(1)))
                    start = m.start(2)
            out.append((start, end))
        return out


def _is_headline(line: str) -> bool:
    """A headline or label line: no final mark, periods or ellipses only (no ? or !), and
    most of three or more long words capitalised ("U.S. Jobless Claims Fall to 5-Month
    Low"): one sentence, whatever its abbreviations."""
    end = len(line)
    while end and line[end - 1] in _CLOSERS:
        end -= 1
    if not end or line[end - 1] in _FINAL_MARKS:  # most lines: they end as sentences do
        return False
    if "?" in line or "!" in line or not _HEADLINE_MARK.search(line):
        return False
    words = _LONG_WORD.findall(line)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _merge_continuations(
    text: str, spans: list[tuple[int, int]], at_line_start: bool
) -> list[tuple[int, int]]:
    """Join the boundaries Punkt gets wrong: ?/! before a lower-case word, a dash or who
    said it ("Who benefits?" Senator Ruiz asked.), and a list marker."""
    if len(spans) < 2:
        return spans
    out = [spans[0]]
    for start, end in spans[1:]:
        prev_start, prev_end = out[-1]
        continues = _ends_in_question_or_bang(text, prev_start, prev_end) and (
            text[start].islower()
            or _dash_goes_on(text, start, end)
            or _ATTRIBUTION.match(text, start, end) is not None
        )
        marker = (
            at_line_start
            and len(out) == 1
            and prev_start == 0
            and _LIST_MARKER.fullmatch(text, prev_start, prev_end)
        )
        if continues or marker:
            out[-1] = (prev_start, end)
        else:
            out.append((start, end))
    return out


def _dash_goes_on(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` opens with a dash and a lower-case word."""
    m = _DASH_THEN_WORD.match(text, start, end)
    return m is not None and m.group(1).islower()


def _ends_in_question_or_bang(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` ends in ? or ! and any closing quotes or brackets."""
    while end > start and text[end - 1] in _CLOSERS:
        end -= 1
    return end > start and text[end - 1] in "?!"


def _split_cjk(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut sentences after CJK full stops, which need no space after them."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        for stop in _CJK_STOP.finditer(text, start, end):
            if stop.end() >= end:
                break
            out.append((start, stop.end()))
            start = _skip_space(text, stop.end(), end)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


def _cut_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into stripped pieces of at most ``limit`` code points."""
    pieces = []
    while end - start > limit:
        cut = _cut_point(text, start, start + limit)
        pieces.append((start, _rstrip_end(text, start, cut)))
        start = _skip_space(text, cut, end)
    if start < end:
        pieces.append((start, end))
    return pieces


def _cut_point(text: str, start: int, limit: int) -> int:
    """Where to end a piece that starts at ``start`` and may not reach past ``limit``.

    The last whitespace in the second half of the piece, so that words stay
    whole; else ``limit``, stepped back so as not to separate a combining mark,
    a joiner or a variation selector from its base character.
    """
    floor = start + (limit - start) // 2
    for k in range(limit, floor, -1):
        if text[k].isspace():
            return k
    k = limit
    while k > start + 1 and limit - k < _MAX_CLUSTER_BACKOFF and _joins(text, k):
        k -= 1
    return k if not _joins(text, k) else limit


def _joins(text: str, k: int) -> bool:
    """True when a cut before ``text[k]`` would split a grapheme cluster we can recognise."""
    if k >= len(text):
        return False
    char, prev = text[k], text[k - 1]
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == "\u200d"
        or prev == "\u200d"
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
        or ("\U0001f1e6" <= char <= "\U0001f1ff" and "\U0001f1e6" <= prev <= "\U0001f1ff")
    )


def _window_end(text: str, start: int, limit: int) -> int:
    """End a Punkt window at the last whitespace before ``limit`` (else at ``limit``)."""
    floor = start + (limit - start) // 2
    for k in range(limit, floor, -1):
        if text[k].isspace():
            return k
    return limit


def _skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _shift(spans: list[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [(s + by, e + by) for s, e in spans]
