"""Sentence splitting: the case file, exact offsets on any text, the shipped parameters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nltk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.analysis.segment import (
    MAX_SENTENCE_CHARS,
    Segmenter,
    Span,
    default_segmenter_path,
    params_from_json,
    params_to_json,
)
from training.datasets import DEFAULT_DATA_ROOT

PROJECT = Path(__file__).resolve().parents[1]
CASES_FILE = Path(__file__).parent / "data" / "segment_cases.jsonl"
CASES = [
    json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
]
# Every code point str.isspace accepts, and the line breaks str.splitlines knows.
WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter.load(default_segmenter_path())


def texts_of(text: str, spans: list[Span]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def assert_well_formed(text: str, spans: list[Span], limit: int = MAX_SENTENCE_CHARS) -> None:
    """What must hold for every input: exact, stripped, ordered, covering, bounded spans."""
    previous = None
    for span in spans:
        piece = text[span.start : span.end]
        assert 0 <= span.start < span.end <= len(text)
        assert piece == piece.strip(), (span, piece)
        assert not any(c in LINE_BREAKS for c in piece), (span, piece)
        assert len(piece) <= limit
        if previous is not None:
            assert previous.end <= span.start
            gap = text[previous.end : span.start]
            assert gap.isspace() or gap == ""
            breaks = sum(1 for part in gap.splitlines(keepends=True) if part[-1] in LINE_BREAKS)
            # A new paragraph exactly where a blank line (two line breaks) lies between.
            assert span.paragraph - previous.paragraph == (1 if breaks >= 2 else 0)
        else:
            assert span.paragraph == 0
            assert text[: span.start].strip() == ""
        previous = span
    # With the gaps above, this means nothing but whitespace is left out.
    tail = text[previous.end :] if previous else text
    assert tail.strip() == ""


# ----------------------------------------------------------------------------- the case file


def test_case_file_is_large_and_well_formed():
    assert len(CASES) >= 60
    notes = [c["note"] for c in CASES]
    assert len(set(notes)) == len(notes)
    for case in CASES:
        assert set(case) <= {"text", "sentences", "note", "paragraphs"}
        assert all(s in case["text"] for s in case["sentences"])


def _read_cases(name: str) -> list[dict]:
    path = Path(__file__).parent / "data" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _failing(segmenter, cases: list[dict]) -> list[int]:
    """The indexes of the cases whose sentences do not come out exactly as written."""
    return [
        k
        for k, case in enumerate(cases)
        if texts_of(case["text"], segmenter.split(case["text"])) != case["sentences"]
    ]


#: 250 passages in the manner of 2020s news, one splitting hazard each (abbreviations
#: ending a sentence, clock times, ellipses, quotes with attribution, headlines), written
#: for us; the rules of ``_NewsPunkt`` and ``_merge_continuations`` were written against
#: them (209 right before, 225 after), and the abbreviations training/segmenter.py added in
#: its version 2 (Det., Brig., Fr., Rd., Twp., Cir., Rm.: 232) and the name pairs of its
#: version 3 ("U.S. Open": 234). The ones still wrong, by note: most need evidence Punkt's
#: orthographic table does not hold (an unknown name, or a word also seen capitalised
#: mid-sentence, after "U.S." or "St."). "Rd." ending a sentence before "Drivers" is the
#: price of "Oak Ridge Rd. near" and "Co. Rd. 12".
MODERN = _read_cases("segment_modern.jsonl")
MODERN_STILL_WRONG = [
    "abbr U.S. end before name",
    "abbr U.K. end",
    "abbr D.C. end",
    "abbr St. end",
    "abbr Downing St. end",
    "abbr Rd. end",
    "initials Plan B end",
    "initials letter grade",
    "quote ! mid lower",
    "brand Yahoo! Finance",
    "tech posted on X.",
    "start lowercase after abbr",
    "start iPhone after U.S.",
    "caps shouting abbreviation",
    "hard-wrapped line",
    "hard-wrapped CRLF",
]
#: 60 news passages written blind to the splitter (its code, its cases, its failures), as
#: a copy editor would split them; used to write no rule until version 6. 45 right before
#: the rules above, 48 after, 50 with the parameters' versions 2-5 and the quoted-last-word
#: rule (scored once, after that work was done on dev cases); 53 with version 6 and the rule
#: for an abbreviation that ends a name ("in the E.U. Ministers will", "to the U.N. Aid
#: groups", "Kessler Ave. Property tax"), for which this set was a development set. Still
#: wrong, by index.
HOLDOUT = _read_cases("segment_holdout.jsonl")
HOLDOUT_STILL_WRONG = [2, 6, 8, 13, 16, 42, 53]


#: 60 more passages written blind to the splitter, half of them with a sentence that ends
#: in an abbreviation before a name or noun ("...in Washington, D.C. Filing closes...") and
#: others with names after an abbreviation inside a sentence ("the 9th U.S. Circuit"): a
#: fresh set for work on Punkt's parameters, never used to write a rule. 39 right before
#: the 2026-11-26 rules, 42 after; 41 with the parameters' versions 2-5 (scored once, after
#: that work was done on dev cases): "courts 2" newly right, and "local 1" and "local 7"
#: newly wrong, a place label that ends a sentence before a capitalised common word ("Rd.
#: Crews", "Twp. Drivers"), the price of "Rd." and "Twp." inside sentences that the dev
#: cases showed too ("Mill Rd. Drivers"). "local 6" is right since the "etc." rule, which
#: was written against the third blind set: 42. 48 with version 6 and the rule for an
#: abbreviation that ends a name (this set was a development set for it): right now are a
#: capitalised word written lower case inside sentences after "the U.K.", "the U.S.", "the
#: U.N.", "Corp." or "Ltd." ("Ministers deny", "Importers say", "Unions representing", "Aid
#: agencies", "Clinical trials", "Distribution rights"). Still wrong, by note: a name
#: ("Norway", "Duarte", "Moravec", "Fenwright", "Valemont"), words capitalised in more than
#: one mid-sentence use in ten ("Republicans", "Court", "Doctors": 5 of 31), and words
#: too rare in the training text to count ("Crews", "Drivers", "Tickets", "Patrons").
HOLDOUT_ABBREV = _read_cases("segment_holdout_abbrev.jsonl")
HOLDOUT_ABBREV_STILL_WRONG = [
    "politics 7",
    "courts 5",
    "business 5",
    "science 2",
    "sport 1",
    "sport 3",
    "culture 3",
    "culture 5",
    "local 1",
    "local 4",
    "local 7",
    "world 5",
]


#: 60 more passages written blind (2026-11-28) by a helper who saw no splitter, its code,
#: its cases or its failures, once the first two blind sets had been seen; 22 of them hard
#: (several hazards at once). Scored once, with the parameters' version 5: 56 right. Its
#: misses then were "No." before a case code (twice), and "etc." or "Ave." ending a sentence
#: before a capitalised word. Two rules were then written against the first two (the
#: segmenter's number labels and "etc."), so this set is a development set now: 59 right.
#: Still wrong, by note ("Ave." is also a street's name inside a sentence):
HOLDOUT_3 = _read_cases("segment_holdout_3.jsonl")
HOLDOUT_3_STILL_WRONG = [
    "HARD local (US): a.m. before day, St., Ave. ends sentence, semicolon, URL",
]


def test_third_held_out_cases_fail_only_where_known(segmenter):
    assert len(HOLDOUT_3) == 60
    wrong = [HOLDOUT_3[k]["note"] for k in _failing(segmenter, HOLDOUT_3)]
    assert wrong == HOLDOUT_3_STILL_WRONG


#: 60 more passages written blind (2026-11-28) by a helper who saw no splitter, its code,
#: its cases or its failures: 25 with an abbreviation ending a sentence before a capitalised
#: content word or name, 20 with one inside a sentence before a capital, 16 with several
#: hazards. Scored once, before and after the parameters' version 6 and the rule for an
#: abbreviation that ends a name, both made without it: 49 right before, 51 after (boundary
#: precision 1.000 both times). Still wrong, by note: a word that is capitalised anyway
#: after the abbreviation ("Norwegian", "Netflix", "Celtic"), an abbreviation the rule does
#: not take ("Bros.", "Mfg.", "Jr."), a word the training text writes capitalised inside
#: sentences too often ("Industry", "Investors") or too seldom to count ("Drivers"), and
#: one before a word that goes on with a name ("Lawyers for", as "U.N. Conference on").
HOLDOUT_4 = _read_cases("segment_holdout_4.jsonl")
HOLDOUT_4_STILL_WRONG = [
    "local traffic: Ave. ends sentence",
    "trade: U.K. ends sentence; quote-final period",
    "europe: E.U. ends sentence before adjective",
    "film: Bros. ends sentence before company name",
    "labor: Mfg. ends sentence",
    "sport: U.S. ends sentence before club name",
    "courts: & Co. ends sentence",
    "politics: internal Mr. and Sen., Jr. ends sentence",
    "autos: U.K. ends sentence; decimal",
]


def test_fourth_held_out_cases_fail_only_where_known(segmenter):
    assert len(HOLDOUT_4) == 60
    wrong = [HOLDOUT_4[k]["note"] for k in _failing(segmenter, HOLDOUT_4)]
    assert wrong == HOLDOUT_4_STILL_WRONG


def test_held_out_abbreviation_cases_fail_only_where_known(segmenter):
    wrong = [HOLDOUT_ABBREV[k]["note"] for k in _failing(segmenter, HOLDOUT_ABBREV)]
    assert wrong == HOLDOUT_ABBREV_STILL_WRONG


def test_modern_news_cases_fail_only_where_known(segmenter):
    wrong = [MODERN[k]["note"] for k in _failing(segmenter, MODERN)]
    # A case newly right is progress: take it off the list. A case newly wrong is a regression.
    assert wrong == MODERN_STILL_WRONG


def test_held_out_news_cases_fail_only_where_known(segmenter):
    assert len(HOLDOUT) == 60
    assert _failing(segmenter, HOLDOUT) == HOLDOUT_STILL_WRONG


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (  # an abbreviation that ends a sentence, then a function word
            "Sales have stalled in the U.S. We expect a rebound, the firm said.",
            ["Sales have stalled in the U.S.", "We expect a rebound, the firm said."],
        ),
        (  # a clock time that ends a sentence, then a capitalised word
            "The vote closes at 4:15 p.m. Turnout was light all day.",
            ["The vote closes at 4:15 p.m.", "Turnout was light all day."],
        ),
        (  # a clock time, its zone and its day stay together
            "Polls close at 8 p.m. ET on Tuesday. Results follow at 9 p.m. Friday evening.",
            ["Polls close at 8 p.m. ET on Tuesday.", "Results follow at 9 p.m. Friday evening."],
        ),
        (  # a number's label before a docket number
            "The case, No. 23-cr-104, was dismissed. Appeals are likely.",
            ["The case, No. 23-cr-104, was dismissed.", "Appeals are likely."],
        ),
        (  # a capitalised number's label before a code that starts with letters
            "The appeal, filed as No. CV/2291/2024, was heard on Monday. A ruling is due.",
            ["The appeal, filed as No. CV/2291/2024, was heard on Monday.", "A ruling is due."],
        ),
        (  # a lower-case "no." is an answer that ends the sentence, whatever comes next
            "The board voted no. G7 ministers meet next week.",
            ["The board voted no.", "G7 ministers meet next week."],
        ),
        (  # "etc." before a capitalised word ends the sentence; before a lower-case one not
            "The fair sells jam, honey, etc. Parking is free. Pens, pads, etc. are provided.",
            [
                "The fair sells jam, honey, etc.",
                "Parking is free.",
                "Pens, pads, etc. are provided.",
            ],
        ),
        (  # the ellipsis character before a sentence starter, and before a name
            "Growth was strong… Then it stalled. He paused… Smith went on.",
            ["Growth was strong…", "Then it stalled.", "He paused… Smith went on."],
        ),
        (  # a court's spaced ellipsis, inside a sentence and at its end
            "The order said the city must act . . . within 30 days. It may appeal . . . Then what?",
            [
                "The order said the city must act . . . within 30 days.",
                "It may appeal . . .",
                "Then what?",
            ],
        ),
        (  # who asked, after a quoted question
            '"Who benefits?" Senator Ruiz asked. Nobody answered.',
            ['"Who benefits?" Senator Ruiz asked.', "Nobody answered."],
        ),
        (  # a verb that does not end the clause is no attribution
            '"Really?" The minister said no to the plan.',
            ['"Really?"', "The minister said no to the plan."],
        ),
        (  # a dash and a lower-case word go on; a dash and a capital do not
            '"See you in court!" — went viral. "Enough!" — Officials Respond',
            ['"See you in court!" — went viral.', '"Enough!"', "— Officials Respond"],
        ),
        (  # a headline line with abbreviations and no final mark
            "U.S. Jobless Claims Fall to 5-Month Low\nThe Labor Department said so.",
            ["U.S. Jobless Claims Fall to 5-Month Low", "The Labor Department said so."],
        ),
    ],
    ids=[
        "function-word",
        "clock-time",
        "time-zone-and-day",
        "number-label",
        "number-label-code",
        "no-the-answer",
        "etc",
        "ellipsis-char",
        "spaced-ellipsis",
        "attribution",
        "no-attribution",
        "dash",
        "headline",
    ],
)
def test_news_rules(segmenter, text, sentences):
    spans = segmenter.split(text)
    assert texts_of(text, spans) == sentences
    assert_well_formed(text, spans)


# Abbreviations the curated lists of training/segmenter.py gained in version 2, each inside
# a sentence before a name, a noun or a number, and at a sentence's end before a word that
# starts the next one. The sentences are written for this test.
ABBREVIATIONS = {
    "det-sgt": (
        "Det. Sgt. Ana Ruiz said the car was stolen. It was found later.",
        ["Det. Sgt. Ana Ruiz said the car was stolen.", "It was found later."],
    ),
    "brig-gen-gens": (
        "Brig. Gen. Ana Ruiz led the review. Gens. Mark Hale and Lee Park attended.",
        ["Brig. Gen. Ana Ruiz led the review.", "Gens. Mark Hale and Lee Park attended."],
    ),
    "govs-ald": (
        "Govs. Tom Reed and Ann Cole met in Denver. Ald. Maria Lopez voted no.",
        ["Govs. Tom Reed and Ann Cole met in Denver.", "Ald. Maria Lopez voted no."],
    ),
    "asst-rm": (
        "The meeting is in Rm. 204 of City Hall. Asst. Supt. Dana Cole will attend.",
        ["The meeting is in Rm. 204 of City Hall.", "Asst. Supt. Dana Cole will attend."],
    ),
    "fr-pfc": (
        "Fr. Michael Doyle said a prayer. Pfc. Lee Tran was there.",
        ["Fr. Michael Doyle said a prayer.", "Pfc. Lee Tran was there."],
    ),
    "rd-mid-and-end": (
        "A sinkhole opened on Oak Ridge Rd. near the school. The crash closed Mill Rd. "
        "The road reopened at noon.",
        [
            "A sinkhole opened on Oak Ridge Rd. near the school.",
            "The crash closed Mill Rd.",
            "The road reopened at noon.",
        ],
    ),
    "twp-end": (
        "He grew up in Lower Merion Twp. It has 60,000 residents.",
        ["He grew up in Lower Merion Twp.", "It has 60,000 residents."],
    ),
    "ont-end": (
        "The family moved to Sudbury, Ont. Then they moved again.",
        ["The family moved to Sudbury, Ont.", "Then they moved again."],
    ),
    "ste-mid": (
        "The plant in Ste. Therese will close. Workers were told on Monday.",
        ["The plant in Ste. Therese will close.", "Workers were told on Monday."],
    ),
    "cir-mid": (
        "The 9th Cir. reversed the ruling. The state may appeal.",
        ["The 9th Cir. reversed the ruling.", "The state may appeal."],
    ),
    "univ-end": (
        "The lab is at Harvard Univ. Its director, Prof. Amy Lin, said so.",
        ["The lab is at Harvard Univ.", "Its director, Prof. Amy Lin, said so."],
    ),
    "dist-number": (
        "The school is in Dist. 211 in Palatine. Classes resume Monday.",
        ["The school is in Dist. 211 in Palatine.", "Classes resume Monday."],
    ),
    "u.s-open-mid-and-end": (
        "She won the U.S. Open in 2021. He reached the final of the U.S. Open. Then he lost.",
        [
            "She won the U.S. Open in 2021.",
            "He reached the final of the U.S. Open.",
            "Then he lost.",
        ],
    ),
    "u.s-border-secret": (
        "U.S. Border Patrol agents and U.S. Secret Service officers met. Nothing changed.",
        ["U.S. Border Patrol agents and U.S. Secret Service officers met.", "Nothing changed."],
    ),
    "u.k-competition": (
        "The U.K. Competition and Markets Authority approved the deal. Shares rose.",
        ["The U.K. Competition and Markets Authority approved the deal.", "Shares rose."],
    ),
    # The name pairs do not keep other words after a sentence-final "U.S." in the sentence.
    "u.s-end-before-content-word": (
        "Sales rose 5 pct in the U.S. Officials said the trend would hold.",
        ["Sales rose 5 pct in the U.S.", "Officials said the trend would hold."],
    ),
    # Sentence adverbs (curated sentence starters in version 4) after an abbreviation and
    # after an initial; a name after the same abbreviation stays in the sentence.
    "adverb-after-abbreviation": (
        "Prices fell in the U.S. Moreover, stocks slid. The fallback is Plan B. Perhaps it "
        "works. The U.S. Army agreed.",
        [
            "Prices fell in the U.S.",
            "Moreover, stocks slid.",
            "The fallback is Plan B.",
            "Perhaps it works.",
            "The U.S. Army agreed.",
        ],
    ),
    # An abbreviation before a quoted sentence's last word ("Patel.”", two Punkt tokens)
    # stays in the sentence; a question mark before its closing quote still ends one.
    "quoted-last-word": (
        '“I trust Dr. Patel.” She nodded. "We sold it to Acme Inc. subsidiaries." '
        '"Who pays?" That is the question.',
        [
            "“I trust Dr. Patel.”",
            "She nodded.",
            '"We sold it to Acme Inc. subsidiaries."',
            '"Who pays?"',
            "That is the question.",
        ],
    ),
    # Version 5: AP and Canadian Press ranks, academic titles, lanes and square measures.
    "const-spc-ens-assoc": (
        "Const. Jane Doe said the driver fled. Spc. Ana Ruiz and Ens. Tom Ray agreed. "
        "Assoc. Prof. Amy Lin led the study.",
        [
            "Const. Jane Doe said the driver fled.",
            "Spc. Ana Ruiz and Ens. Tom Ray agreed.",
            "Assoc. Prof. Amy Lin led the study.",
        ],
    ),
    "ln-sq": (
        "The crash closed Elm Ln. near the mall. The 2,000 sq. ft. home sold in May.",
        ["The crash closed Elm Ln. near the mall.", "The 2,000 sq. ft. home sold in May."],
    ),
    # "brig" is also a word: at a sentence's end it still splits before a sentence starter.
    "brig-word-end": (
        "He spent a week in the brig. Then he was released. He spent a week in the brig. "
        "The captain relented.",
        [
            "He spent a week in the brig.",
            "Then he was released.",
            "He spent a week in the brig.",
            "The captain relented.",
        ],
    ),
    # Version 6: an abbreviation that ends a name, before a capitalised word written lower
    # case in at least 90 % of its mid-sentence uses and a lower-case word, ends the
    # sentence. Each of the four split words has been seen capitalised mid-sentence now and
    # then, so Punkt alone kept them in the sentence.
    "u.s-end-before-mostly-lower-word": (
        "Grain exports slowed across the U.S. Farmers blame the strong dollar.",
        ["Grain exports slowed across the U.S.", "Farmers blame the strong dollar."],
    ),
    "u.k-end-before-mostly-lower-word": (
        "Footfall fell again in the U.K. Retail sales dropped 2% in March.",
        ["Footfall fell again in the U.K.", "Retail sales dropped 2% in March."],
    ),
    "inc-end-before-mostly-lower-word": (
        "The licence went to Harlow Biotics Inc. Clinical trials start in May.",
        ["The licence went to Harlow Biotics Inc.", "Clinical trials start in May."],
    ),
    "ave-end-before-mostly-lower-word": (
        "The rally began outside 40 Kessler Ave. Students marched to the town hall.",
        ["The rally began outside 40 Kessler Ave.", "Students marched to the town hall."],
    ),
    # ... but not when the word goes on with a capitalised word or a joiner (a title, a
    # name), nor after initials without "the", which qualify the next word (1987 wire copy
    # capitalised it), nor after a sentence's opening "The U.S.".
    "inc-title-before-a-name": (
        "Harlow Biotics Inc. Chief Executive Mara Lind will step down. She is 61.",
        ["Harlow Biotics Inc. Chief Executive Mara Lind will step down.", "She is 61."],
    ),
    "u.n-name-with-a-joiner": (
        "Diplomats met at the U.N. Conference on Trade and Development. Talks went on.",
        ["Diplomats met at the U.N. Conference on Trade and Development.", "Talks went on."],
    ),
    "u.s-initials-qualify": (
        "Sales to U.S. Farmers rose 4% last year. The U.S. Conference of Mayors met.",
        ["Sales to U.S. Farmers rose 4% last year.", "The U.S. Conference of Mayors met."],
    ),
    "u.s-opening-the": (
        "The U.S. Conference has a long history. It meets in June.",
        ["The U.S. Conference has a long history.", "It meets in June."],
    ),
    # A text that capitalises such a word after initials with no "the" does so after "the
    # U.K." too: there the capital shows nothing.
    "u.k-text-that-capitalises-after-initials": (
        "Sales to U.K. Farmers rose. Demand rose in the U.K. Retail sales were strong.",
        ["Sales to U.K. Farmers rose.", "Demand rose in the U.K. Retail sales were strong."],
    ),
}


@pytest.mark.parametrize(
    ("text", "sentences"), list(ABBREVIATIONS.values()), ids=list(ABBREVIATIONS)
)
def test_news_abbreviations(segmenter, text, sentences):
    spans = segmenter.split(text)
    assert texts_of(text, spans) == sentences
    assert_well_formed(text, spans)


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_case_splits_as_expected(segmenter, case):
    spans = segmenter.split(case["text"])
    assert texts_of(case["text"], spans) == case["sentences"]
    if "paragraphs" in case:
        assert [s.paragraph for s in spans] == case["paragraphs"]
    assert_well_formed(case["text"], spans)


# ----------------------------------------------------------------------------- any text

# Pieces that exercise every path: abbreviations, initials, numbers, quotes, CJK
# stops, line and paragraph breaks, exotic whitespace and invisible characters.
# fmt: off
TRICKY = st.sampled_from(
    [
        "U.S.", "Dr.", "Mr.", "p.m.", "No.", "Inc.", "etc.", "J.", "W.", "5.", "5.93", "1.",
        "...", "…", ".", "?", "!", "?!", '"', "'", "“", "”", "’", "(", ")", "[", "]", ":",
        ",", "-", "—", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\r\n\r\n", "\u2029",
        "\x0b", "\x1c", "\x85", "\u00a0", "\u3000", "\u200b", "\u200f", "\u0301", "\x00",
        "😀", "👩🏽‍💻", "🇫🇷", "。", "！", "？", "」", "東京", "שלום", "مرحبا", "The", "the",
        "He", "said", "Smith", "Bush", "it", "a", "I", "iPhone", "$1.5", "bln", "www.x.com",
    ]
)
# fmt: on


@settings(max_examples=400, deadline=None)
@given(st.lists(TRICKY, max_size=60).map("".join))
def test_spans_are_exact_on_tricky_text(segmenter, text):
    assert_well_formed(text, segmenter.split(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_spans_are_exact_on_any_unicode(segmenter, text):
    assert_well_formed(text, segmenter.split(text))


@pytest.fixture(scope="module")
def tiny_segmenter(segmenter) -> Segmenter:
    # Sentences of at most 12 characters, so Punkt windows of 48: every path of the guard.
    return Segmenter(segmenter.params, max_sentence_chars=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=80).map("".join))
def test_length_guard_and_windows_hold_for_any_text(tiny_segmenter, text):
    assert_well_formed(text, tiny_segmenter.split(text), limit=12)


def test_lone_surrogates_and_private_use_keep_offsets(segmenter):
    text = "A\ud800b. \ue000Next one.\udfff"
    spans = segmenter.split(text)
    assert texts_of(text, spans) == ["A\ud800b.", "\ue000Next one.\udfff"]


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\r\n\t ", WHITESPACE, WHITESPACE * 3])
def test_whitespace_only_gives_no_sentences(segmenter, text):
    assert segmenter.split(text) == []


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"])
def test_every_line_break_ends_a_sentence(segmenter, brk):
    text = f"Mr. Smith arrived{brk}the U.S. team left"
    assert texts_of(text, segmenter.split(text)) == ["Mr. Smith arrived", "the U.S. team left"]


# ----------------------------------------------------------------------------- long input


def test_long_sentence_is_cut_at_whitespace(segmenter):
    text = "word " * 3000 + "end."
    spans = segmenter.split(text)
    assert len(spans) == 4
    assert_well_formed(text, spans)
    for span in spans[:-1]:
        assert text[span.end].isspace()


def test_cut_does_not_separate_combining_marks(segmenter):
    text = "e\u0301" * 6000
    spans = segmenter.split(text)
    assert len(spans) > 2
    assert_well_formed(text, spans)
    assert all(text[s.start] == "e" for s in spans)


def test_one_megabyte_word_is_cut_quickly(segmenter):
    text = "x" * 1_000_000
    started = time.process_time()
    spans = segmenter.split(text)
    assert time.process_time() - started < 5
    assert len(spans) == 200
    assert_well_formed(text, spans)


@pytest.mark.parametrize("unit", ["a. ", "Dr. ", "!", ".", "a.)", '"x." ', "。", "\u200b. "])
def test_pathological_lines_stay_fast(segmenter, unit):
    # NLTK's own Punkt hits its 5 s regex time limit on a megabyte of "a. a. a.";
    # the windows keep every call small, so time grows linearly (~40 us a sentence).
    text = unit * (100_000 // len(unit))
    started = time.process_time()
    spans = segmenter.split(text)
    assert time.process_time() - started < 10
    assert_well_formed(text, spans)


@pytest.mark.parametrize("unit", [". ", "? ", "! ", ". . x ", "a. ", "Dr. "])
def test_each_window_moves_on_by_most_of_itself(segmenter, monkeypatch, unit):
    # On ". " repeated, a window of 20,000 characters found "." and one sentence after it,
    # and the next window started again at that sentence: 4 characters on, 0.1 s a read,
    # ten minutes for a 64 kB request (over any worker timeout).
    text = unit * (100_000 // len(unit))
    reads = []
    read = segmenter._sentences

    def counted(chunk, at_line_start, initials_end):
        reads.append(len(chunk))
        if len(reads) > 50:
            raise AssertionError(f"{len(reads)} reads of a {len(text)}-character line")
        return read(chunk, at_line_start, initials_end)

    monkeypatch.setattr(segmenter, "_sentences", counted)
    spans = segmenter.split(text)
    # A window re-reads at most its last quarter: 4/3 reads a window's length, and the last.
    assert len(reads) <= 4 * len(text) // (3 * 4 * MAX_SENTENCE_CHARS) + 2
    # Not assert_well_formed: on ". . . . " the spaced-ellipsis rule leaves the first ". ."
    # out of every sentence, windows or not (a defect of its own).
    assert all(0 <= a.start < a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    assert spans[-1].end <= len(text)
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in spans)


def test_windows_change_no_boundary(segmenter):
    sentences = [c["text"].replace("\n", " ").replace("\r", " ") for c in CASES]
    line = " ".join(s for s in sentences if s.strip()) * 8
    assert len(line) > 4 * MAX_SENTENCE_CHARS
    unwindowed = Segmenter(segmenter.params, max_sentence_chars=len(line))
    assert segmenter.split(line) == unwindowed.split(line)


# News-like prose (about 150 characters a sentence, as in Reuters), written for this test.
PROSE = (
    "The U.S. central bank left its key rate unchanged on Wednesday, saying inflation "
    "had eased but remained above its 2 pct target. Officials at the Federal Reserve "
    "signalled that cuts could come later in the year if price pressures kept fading. "
    "Mr. Alvarez, chief economist at Harrow Capital Inc., said the decision was widely "
    'expected and markets barely moved. "They are buying time," he said. Yields on '
    "10-year notes fell 0.04 percentage point to 4.21 pct by 3 p.m. in New York.\n"
    "Exporters welcomed the pause. Shipments rose 5.9 pct in the first quarter to "
    "$12.4 bln, led by machinery and farm goods, the Commerce Department said.\n\n"
)


def test_hundred_thousand_characters_take_well_under_100_ms(segmenter):
    text = (PROSE * (100_000 // len(PROSE) + 1))[:100_000]
    segmenter.split(text)  # warm-up: NLTK compiles its patterns on first use
    # CPU time, best of 5: what the code costs, not how busy the machine is.
    best = min(_cpu_seconds(segmenter.split, text) for _ in range(5))
    assert best < 0.1


def _cpu_seconds(fn, arg) -> float:
    started = time.process_time()
    fn(arg)
    return time.process_time() - started


# ----------------------------------------------------------------------------- runtime safety


def test_split_does_not_grow_the_parameters(segmenter):
    before = len(segmenter.params.ortho_context)
    segmenter.split("Zyxwv Qwertz. Plorbat Glimfen. Mr. Unseenname Anotherunseen.")
    assert len(segmenter.params.ortho_context) == before


def test_threads_share_one_segmenter(segmenter):
    text = "\n".join(c["text"] for c in CASES)
    expected = segmenter.split(text)
    results: list[list[Span]] = []

    def work() -> None:
        for _ in range(5):
            results.append(segmenter.split(text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(r == expected for r in results)


# ----------------------------------------------------------------------------- shipped parameters


def test_shipped_parameters_load_without_nltk_data(monkeypatch):
    def no_data(*args, **kwargs):
        raise AssertionError("the segmenter looked up NLTK data")

    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.setattr(nltk.data, "find", no_data)
    monkeypatch.setattr(nltk.data, "load", no_data)
    monkeypatch.setenv("NLTK_DATA", "/nonexistent")
    seg = Segmenter.load(default_segmenter_path())
    text = "Dr. Osei met U.S. officials at 3 p.m. Monday. They agreed."
    assert texts_of(text, seg.split(text)) == [
        "Dr. Osei met U.S. officials at 3 p.m. Monday.",
        "They agreed.",
    ]


def test_shipped_file_lives_in_the_project_models_folder():
    path = default_segmenter_path()
    assert path == PROJECT / "models" / "punkt-news.json"
    assert path.is_file()


def test_shipped_file_has_a_header():
    doc = json.loads(default_segmenter_path().read_text(encoding="utf-8"))
    assert doc["format"] == "caveat-punkt-params/1"
    assert doc["version"]
    assert doc["nltk_version"]
    assert len(doc["training"]["sha256"]) == 64
    assert doc["training"]["corpus"] == "reuters21578"


def test_shipped_file_is_serialised_deterministically():
    raw = default_segmenter_path().read_text(encoding="utf-8")
    doc = json.loads(raw)
    header = {k: v for k, v in doc.items() if k not in _PARAM_KEYS}
    assert params_to_json(params_from_json(doc), header) == raw


_PARAM_KEYS = {"format", "abbrev_types", "collocations", "sent_starters", "ortho_context"}


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"format": "something-else"},
        {"format": "caveat-punkt-params/1", "abbrev_types": "u.s"},
        {
            "format": "caveat-punkt-params/1",
            "abbrev_types": [],
            "sent_starters": [],
            "collocations": [["a"]],
            "ortho_context": {},
        },
        {
            "format": "caveat-punkt-params/1",
            "abbrev_types": [],
            "sent_starters": [],
            "collocations": [],
            "ortho_context": {"the": "2"},
        },
    ],
)
def test_rejects_a_file_that_is_not_punkt_parameters(doc):
    with pytest.raises(ValueError):
        params_from_json(doc)


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_file(tmp_path):
    out = tmp_path / "punkt-news.json"
    # A different hash seed than the file was made with: set order must not matter.
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    command = ["-m", "training.segmenter", "--out", str(out), "--data", str(DEFAULT_DATA_ROOT)]
    subprocess.run(
        [sys.executable, *command],
        cwd=PROJECT,
        env=env,
        check=True,
        timeout=600,
        capture_output=True,
    )
    assert out.read_bytes() == default_segmenter_path().read_bytes()
