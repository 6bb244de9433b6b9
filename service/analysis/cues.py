"""Claim boosters and hedge cues with their types, found in a sentence with context rules.

The lexicon is the project's own, written against LABELING.md. Its meaning is one
regular expression, an alternation of every fragment (case-insensitive, on the text
exactly as submitted, so offsets need no mapping); context rules then drop the
readings that are not cues: a negated booster, "May" the month or the name,
"might" the noun, "could" of past ability, "yet" that is not a turn, the "but" of
"not only ... but also".

Tried at every word, that alternation of some 300 fragments is slow, so ``find_cues``
gets the same matches in two cheaper steps: a prefilter finds the word starts whose
first characters can begin a fragment, and there only the fragments that can begin
with that letter are tried, in their original order. ``_find_cues_reference`` keeps the
single alternation; the tests hold the two equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each entry is a regular-expression fragment matched on word boundaries.
# Multi-word cues come first in effect: the alternation is sorted longest first.
CLAIM_CUES = [
    r"tremendous(?:ly)?(?: progress| success| achievement| step)?",
    r"significant (?:step|progress|milestone|breakthrough|achievement|boost|advance|gains?)",
    r"(?:a |an )?(?:major|big|huge|giant|important|key|crucial|decisive|vital) "
    r"(?:step|milestone|breakthrough|boost|win|victory|achievement|advance|leap)(?: forward)?",
    r"historic(?:al)?(?: breakthrough| deal| agreement| day| moment| achievement| win| victory)?",
    r"breakthroughs?",
    r"landmark",
    r"milestones?",
    r"game[- ]changer",
    r"game[- ]changing",
    r"unprecedented",
    r"revolutionary",
    r"revolutioni[sz]e[sd]?",
    r"transformative",
    r"will transform",
    r"(?:would|could|is set to|are set to) transform",
    r"pav(?:e|es|ed|ing) the way",
    r"will (?:solidify|ensure|guarantee|secure|deliver|boost)",
    r"(?:is|are) (?:certain|sure|bound|guaranteed) to",
    r"testament to",
    r"cornerstone",
    r"there (?:is|can be) no doubt",
    r"no doubt",
    r"without (?:a |any )?doubt",
    r"beyond doubt",
    r"undoubtedly",
    r"unquestionabl[ey]",
    r"undeniabl[ey]",
    r"indisputabl[ey]",
    r"clearly",
    r"certainly",
    r"definitely",
    r"absolutely",
    r"obviously",
    r"of course",
    r"surely",
    r"record(?:-breaking)? (?:high|highs|profits?|earnings|growth|levels?|year|sales|results?)",
    r"(?:a|new|all-time) records?",
    r"best[- ]ever",
    r"all-time high",
    r"huge (?:boost|success|win|gains?|progress|improvement)",
    r"great (?:success|progress|victory)",
    r"resounding(?: success| victory| win)?",
    r"triumph(?:ant|ed|s)?",
    r"remarkabl[ey]",
    r"extraordinar(?:y|ily)",
    r"dramatic(?:ally)? (?:improve\w*|progress|gains?|increase|rise)",
    r"impressive",
    r"spectacular",
    r"stunning",
    r"outstanding",
    r"excellent",
    r"phenomenal",
    r"robust (?:growth|recovery|demand|results?|performance)",
    r"strong(?:er)? (?:growth|recovery)",
    r"soar(?:ed|ing|s)?",
    r"surg(?:e|ed|es|ing)",
    r"boom(?:ing)?",
    r"skyrocket(?:ed|ing|s)?",
    r"world[- ]class",
    r"state[- ]of[- ]the[- ]art",
    r"cutting[- ]edge",
    r"first[- ]ever",
    r"(?:will|would) (?:dramatically|greatly|significantly) \w+",
    r"greatly (?:improve\w*|enhance\w*)",
    r"(?:a |the )?(?:greatest|biggest|strongest|finest) (?:\w+ )?(?:ever|in history)",
    r"proven",
    r"proves? that",
    r"confirm(?:s|ed)? that",
    r"beyond question",
    # Certainty and commitment boosters (LABELING.md: "with more force than a neutral report").
    r"(?:fully|firmly|totally|wholly) (?:committed|confident|convinced|expect)",
    r"we know",
    r"in fact",
    r"indeed",
    r"made it (?:quite |very |absolutely )?clear",
    r"(?:is|was) clear that",
    r"the answer is (?:clear|simple|obvious)",
    r"(?:little|no) doubt",
    r"whatever it takes",
    r"(?:the )?only (?:possible )?(?:explanation|answer|solution)",
    r"patently",
    r"evidently",
    r"(?:very|highly|extremely) (?:successful|satisfactory|important|positive|effective)",
    r"success(?:ful|fully)",
    r"substantial(?:ly)?",
    r"significant(?:ly)?",
    r"greatly",
    r"(?:the )?best",
    r"stellar",
    r"showpiece",
    r"ringing endorsement",
    r"vigorous(?:ly)?",
    r"strengthen(?:s|ed|ing)?",
    r"(?:a )?boost(?:s|ed|ing)?",
    r"flourish(?:es|ed|ing)?",
    r"thriv(?:e|es|ed|ing)",
    r"excel(?:s|led|ling)?",
    r"hail(?:s|ed)?",
    r"praised?",
    r"(?:will|would) (?:help|enable|allow) (?:to )?\w+",
    r"(?:new|fresh) (?:dawn|era|opportunit\w+)",
]

HEDGE_CUES = {
    "uncertainty": [
        r"may(?: well)?(?: be| have| not)?",
        r"might(?: be| have| not)?",
        r"could(?: be| have)?",
        r"possibl[ey]",
        r"possibility",
        r"perhaps",
        r"maybe",
        r"probabl[ey]",
        r"likely",
        r"unlikely",
        r"likelihood",
        r"appear(?:s|ed)? to",
        r"apparent(?:ly)?",
        r"seem(?:s|ed|ingly)?(?: to)?",
        r"suggest(?:s|ed|ing)? that",
        r"suggests?",
        r"indicat(?:es|ed|ing) that",
        # An adverb between may stand ("is also expected to", "is not expected to").
        r"(?:is|are|was|were)(?: (?:also|still|now|not|generally|largely|broadly))? expected to",
        r"expects? to",
        r"(?:is|are|was|were) projected to",
        r"(?:is|are) forecast to",
        r"estimated",
        r"predict(?:s|ed)?",
        r"potential(?:ly)?",
        r"(?:we|i|they|he|she|officials?) (?:believe|believes|believed|think|thinks|thought)",
        r"believe(?:s|d)? (?:that|it)",
        r"whether",
        r"unclear",
        r"uncertain(?:ty)?",
        r"not clear",
        r"not certain",
        r"(?:is|was)n['’]t (?:clear|certain)",
        r"doubts?(?: about| that| whether| as to)?",
        r"questionable",
        r"speculat(?:e|ed|es|ion|ive)",
        r"presumabl[ey]",
        r"conceivabl[ey]",
        r"assum(?:e|es|ed|ing)",
        r"in theory",
        r"hope(?:s|d)? (?:to|that)",
        r"tentative(?:ly)?",
        r"roughly",
        r"about to",
        r"(?:remains|is) to be seen",
        r"open question",
        r"unknown",
    ],
    "limitation": [
        r"(?:more|further|additional|much|lots of) work (?:is|was|will be)? ?(?:still )?"
        r"(?:needed|required|necessary|to be done|remains)(?: to finali[sz]e)?",
        r"(?:more|further) work (?:needs|need) to be done",
        r"work remains",
        r"remains? to be (?:done|finali[sz]ed|agreed|worked out|resolved|settled)",
        r"not yet",
        # The same negations contracted ("isn't yet", "hasn't yet"), either apostrophe.
        r"(?:is|are|was|were|has|have|had|do|does|did)n['’]t yet",
        r"(?:has|have|had) yet to",
        r"still (?:has|have|had|need|needs|needed) to",
        r"still (?:being|to be) \w+",
        r"only (?:a|the) first step",
        r"(?:is|are|was) not a silver bullet",
        r"(?:is|are|was)n['’]t a silver bullet",
        r"no silver bullet",
        r"not a substitute for",
        r"(?:is|are|was|were)n['’]t a substitute for",
        r"no substitute for",
        r"(?:details|specifics) (?:remain|remained|are|were) (?:under wraps|unclear|scarce|vague)",
        r"under wraps",
        r"no guarantee",
        r"limited",
        r"limitations?",
        r"partial(?:ly)?",
        r"preliminary",
        r"incomplete",
        r"unfinished",
        r"falls? short",
        r"fell short",
        r"a long way to go",
        r"long road",
        r"(?:challenges|obstacles|hurdles|questions) remain",
        r"far from",
        r"will take (?:time|years|months)",
        r"is only",
        r"only a",
        r"modest",
        r"(?:being )?hammered out",
        r"not (?:immediately|fully|entirely|completely)",
        r"(?:is|are|was|were|has|have|had)n['’]t (?:immediately|fully|entirely|completely)",
        r"caveat",
        r"sobering",
        r"premature",
        r"too (?:early|soon) to",
        r"remains? (?:arduous|difficult)",
        r"still needs",
        r"needs to be bridged",
        r"does not mean",
        r"doesn['’]t mean",
    ],
    "condition": [
        r"if",
        r"unless",
        r"only if",
        r"even if",
        r"provided (?:that)?",
        r"providing that",
        r"as long as",
        r"so long as",
        r"on condition that",
        r"subject to",
        r"pending",
        # "depends heavily on", "will depend not only on", "depend, in part, on".
        r"depend(?:s|ed|ing)?(?:,? (?:not only|not just|only|largely|heavily|entirely|mainly"
        r"|partly|in part|in large part|greatly|critically|very much|much|ultimately|also"
        r"|primarily|wholly|solely|crucially|strongly|directly),?)? (?:on|upon)",
        r"dependent (?:on|upon)",
        r"contingent (?:on|upon)",
        r"hing(?:e|es|ed|ing) on",
        r"conditional (?:on|upon)",
        r"in the event (?:that|of)",
        r"assuming (?:that)?",
        # "will (then) need Russia's agreement": need/require + up to four words + the consent noun.
        r"(?:will |would )?(?:then |ultimately |still )?(?:need|needs|require|requires|necessitate"
        r"|necessitates)(?: [\w'’.-]+){0,4}? (?:agreement|approval|consent|ratification|support"
        r"|backing|sign-off|endorsement)",
        r"(?:must|has to|have to|needs? to) be (?:approved|ratified|agreed|signed off)",
        r"requires? (?:\w+ )?approval",
        r"awaiting approval",
    ],
    "contrast": [
        r"however",
        r"but",
        r"although",
        r"though",
        r"yet",
        r"nonetheless",
        r"nevertheless",
        r"even so",
        r"that said",
        r"despite",
        r"in spite of",
        r"whereas",
        r"on the other hand",
        r"while",
        r"still,",
    ],
    "attribution": [
        r"reportedly",
        r"allegedly",
        r"purportedly",
        r"supposedly",
        r"rumou?red",
        r"some (?:say|said|argue|argued|believe|believed|claim|claimed|suggest|fear|worry)",
        r"critics (?:say|said|argue|argued|claim|claimed|warn|warned|fear|contend)",
        r"(?:experts|analysts|observers|officials|sources|insiders|economists|observers) "
        r"(?:say|said|warn|warned|believe|believed|argue|argued|suggest|suggested|fear|feared|"
        r"caution|cautioned|expect|expected)",
        r"it is (?:believed|thought|said|reported|understood|claimed|alleged|rumou?red)",
        r"(?:is|are|was|were) (?:said|believed|thought|reported|understood|alleged) to",
        r"according to (?:some|sources|reports|people familiar|insiders)",
        r"sources (?:close to|familiar with)",
        r"people familiar with",
        r"many (?:believe|say|think)",
        r"it has been (?:said|suggested|claimed|reported)",
        r"widely (?:believed|seen|expected)",
    ],
}

_MONTH_CONTEXT = re.compile(
    r"(?:\b(?:in|of|since|until|till|by|from|early|mid|late|last|next|this|on|through|"
    r"during|before|after)\s+$)",
    re.I,
)
_NUMBER_AFTER = re.compile(r"^\s*(?:\d|,\s*\d)")
_MIGHT_NOUN_BEFORE = re.compile(
    r"(?:\b(?:the|its|his|her|their|our|military|economic|full|"
    r"naval|industrial|all|with)\s+$)",
    re.I,
)
_MIGHT_NOUN_AFTER = re.compile(r"^\s*(?:of\b|and\s+main|[.,;:!?)]|$)", re.I)
_PAST_ABILITY_AFTER = re.compile(
    r"^\s+(?:not\s+|n't\s+)?(?:swim|read|write|walk|run|talk|speak|"
    r"sing|dance|ride|drive|see|hear|barely|hardly|only)\b",
    re.I,
)
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|no|never|hardly|nor|neither|without|far from|n't|isn't|wasn't|aren't|"
    r"weren't|won't|cannot|can't|doesn't|didn't|lack|lacks|lacked)\b|n't)"
    r"(?:\s+(?:a|an|the|so|such|very|really|quite|exactly|any|being|be|been|yet|truly|"
    r"particularly|that|all|really))*\s+$",
    re.I,
)
_QUESTIONED_AFTER = re.compile(r"^[^.!?]{0,60}\?\s*$")
# "yet" is a turn only when it opens a clause ("Yet ...", ", yet ..."), not "yet another".
_YET_AFTER = re.compile(r"^\s+(?:another|again|more)\b", re.I)
# "not only X but also Y" adds; it does not qualify (LABELING.md: not in a list of facts).
# Without "not only" before it, "cheap but also risky" still turns.
_BUT_ALSO_AFTER = re.compile(r"^\s+also\b", re.I)
_NOT_ONLY_BEFORE = re.compile(r"\bnot (?:only|just|merely|simply)\b", re.I)
_WHILE_NOUN_BEFORE = re.compile(r"(?:\b(?:a|the|little|short|long|worth|great|good)\s+$)", re.I)
_IF_NOT_CONDITION_BEFORE = re.compile(r"(?:\b(?:as|even|what)\s+$)", re.I)
# "Outstanding" and "extraordinary" are terms of finance before they are praise: "10 mln shares
# outstanding", "outstanding debt", "extraordinary gain of 5 mln dlrs", "an extraordinary
# general meeting". LABELING.md: a neutral report of a fact or number is no claim. In news
# train + dev, model 1.5.0's lexicon read either word as a booster 170 times, in sentences of
# which 10% were claims; these rules drop 143 of the 170, and one sentence among those is a
# claim (for other words than "an outstanding credit line").
_FINANCE = (
    r"shares?|stock|common|preferred|preference|debt|debentures?|loans?|notes|bonds?"
    r"|securities|warrants|options|paper|credit|indebtedness|borrowings?|balance|amount"
    r"|principal|swaps?|pct|dlrs?|mln|billion|capital|class|debit"
)
_OUTSTANDING_FINANCE_AFTER = re.compile(
    r"^\s+[\d.,]+|^(?:\W+\w+){0,3}?\W+(?:" + _FINANCE + r")\b"
    r"|^\s+(?:issues?|questions?|problems?|matters?|points?|differences?|concerns?|claims?"
    r"|obligations?|bills?|payments?|orders?|fines?)\b",
    re.I,
)
_OUTSTANDING_FINANCE_BEFORE = re.compile(
    r"\b(?:" + _FINANCE + r"|total|remains?|remained)\b(?:\W+\w+){0,6}?\W*$", re.I
)
_EXTRAORDINARY_FINANCE_AFTER = re.compile(
    r"^\s+(?:and other\s+)?(?:items?|gains?|loss(?:es)?|profits?|charges?|credits?|income"
    r"|expenses?|provisions?|general|meetings?|session|dividends?|recovery|earnings|tax"
    r"|securities|corporate|debit)\b",
    re.I,
)
_EXTRAORDINARY_FINANCE_BEFORE = re.compile(
    r"\b(?:before|excluding|excludes?|includes?|including)\s+(?:an?\s+)?$", re.I
)
# A record low or a record deficit is a negative or alarming statement, not an optimistic one
# (LABELING.md): "hit a new record low", "the trade deficit was a record 147.7 billion dlrs".
_BAD_RECORD = (
    r"lows?|deficits?|loss(?:es)?|debts?|shortfalls?|unemployment|bankruptc(?:y|ies)|deaths?"
    r"|casualties|fatalities|inflation"
)
# After it, falls too ("a record drop"); before it those are verbs ("declined from a record").
_RECORD_BAD_AFTER = re.compile(
    r"^(?:\s+[\w.,-]+){0,2}?\s+(?:" + _BAD_RECORD + r"|declines?|drops?|falls?|slumps?)\b",
    re.I,
)
# Before the record, within its clause (a comma only to open "which" or "that": "the trade
# deficit, which last year hit a record ..."; "despite losses, record profits" is a claim).
_RECORD_BAD_BEFORE = re.compile(
    r"\b(?:" + _BAD_RECORD + r")\b(?:[^.,;:!?]|,\s*(?:which|that)\b){0,40}$", re.I
)
# "as long as possible", "lasted as long as it did", "for as long as 20 years": an extent or a
# duration, not a condition.
_AS_LONG_AS_EXTENT_AFTER = re.compile(
    r"^\s+(?:possible|necessary|needed|practicable|\d|it did|it does|they did|they do)\b", re.I
)
_AS_LONG_AS_EXTENT_BEFORE = re.compile(r"\b(?:for|lasted|last|lasts|lasting)\s+$", re.I)
# "a pending lawsuit", "the deal is pending", "patent pending": a state, not "until X".
_PENDING_STATE_BEFORE = re.compile(
    r"\b(?:a|an|the|its|their|his|her|our|your|was|were|is|are|be|been|remains?|still|patent)"
    r"\s+$",
    re.I,
)
_PENDING_STATE_AFTER = re.compile(r"^\s*(?:[.,;:!?)]|$)")
_PERSON_TITLE_BEFORE = re.compile(
    r"(?:\b(?:Theresa|Brian|Mrs?\.?|Ms\.?|Prime Minister|Minister)"
    r"\s+$)"
)


@dataclass(slots=True)
class CueMatch:
    """One cue in a sentence; offsets are relative to the string searched."""

    label: str  # "claim" | "hedge"
    type: str | None
    start: int
    end: int
    negated: bool = False  # a booster under negation or question: reported as a hedge feature only


# Word boundaries that respect hyphens and inner apostrophes ("don't" holds no "t"), while
# a quotation mark before a word ('Tremendous Progress') still lets it match.
_WORD_START = r"(?<![\w-])(?<!\w['’])"
_WORD_END = r"(?![\w-])"


def _alternation(fragments: list[str]) -> str:
    # Longest fragments first so that "more work is needed" beats "work".
    return "|".join(sorted(fragments, key=len, reverse=True))


def _build_pattern() -> re.Pattern[str]:
    groups = [f"(?P<claim>{_alternation(CLAIM_CUES)})"]
    for kind, fragments in HEDGE_CUES.items():
        groups.append(f"(?P<{kind}>{_alternation(fragments)})")
    return re.compile(f"{_WORD_START}(?:{'|'.join(groups)}){_WORD_END}", re.I)


_PATTERN = _build_pattern()


def _is_not_a_cue(kind: str, text: str, start: int, end: int) -> bool:
    """Context rules: True when the match is one of the non-cue readings of LABELING.md."""
    word = text[start:end]
    before, after = text[max(0, start - 40) : start], text[end : end + 40]
    head = word.split()[0].lower()
    if kind == "uncertainty" and head == "may":
        # "May" capitalised is the month ("in May", "May 20") or a name ("Theresa May", "May said").
        if word[0] == "M" and (
            start > 0 or _NUMBER_AFTER.match(after) or re.match(r"^\s+(?:said|told|says)\b", after)
        ):
            if start > 0 or _NUMBER_AFTER.match(after) or not re.match(r"^\s+[a-z]", after):
                return True
        if _MONTH_CONTEXT.search(before) or _PERSON_TITLE_BEFORE.search(before):
            return True
    if kind == "uncertainty" and head == "might":
        if _MIGHT_NOUN_BEFORE.search(before) or _MIGHT_NOUN_AFTER.match(after):
            return True
    if kind == "uncertainty" and head == "could" and word.lower() == "could":
        if _PAST_ABILITY_AFTER.match(after):
            return True
    if kind == "contrast" and head == "yet" and _YET_AFTER.match(after):
        return True
    if (
        kind == "contrast"
        and head == "but"
        and _BUT_ALSO_AFTER.match(after)
        and _NOT_ONLY_BEFORE.search(text, 0, start)
    ):
        return True
    if kind == "contrast" and head == "while" and _WHILE_NOUN_BEFORE.search(before):
        return True
    if kind == "condition" and head == "if" and _IF_NOT_CONDITION_BEFORE.search(before):
        return True
    if kind == "condition" and word.lower() in ("as long as", "so long as"):
        if _AS_LONG_AS_EXTENT_AFTER.match(after) or _AS_LONG_AS_EXTENT_BEFORE.search(before):
            return True
    if kind == "condition" and head == "pending":
        if _PENDING_STATE_BEFORE.search(before) or _PENDING_STATE_AFTER.match(after):
            return True
    return False


def _is_not_a_booster(text: str, start: int, end: int) -> bool:
    """True when a claim-lexicon match is no praise: a term of finance ("shares outstanding",
    "an extraordinary gain of 5 mln dlrs"), a record of something bad ("a record low", "the
    deficit was a record 147.7 billion dlrs"), or part of a name ("Iran's Revolutionary
    Guards", "Best Products Co", "The Best of Chuck Baldwin")."""
    word = text[start:end].lower()
    before, after = text[max(0, start - 60) : start], text[end : end + 60]
    if "record" in word:
        return bool(_RECORD_BAD_AFTER.match(after) or _RECORD_BAD_BEFORE.search(before))
    if word in ("revolutionary", "best", "the best"):
        # Capitalised inside the sentence, or first and followed by another capital: a name.
        at = start + word.index(word.split()[-1])
        if text[at].isupper() and (at > 0 or re.match(r"^\s+[A-Z]", after)):
            return True
        return word == "revolutionary" and bool(re.match(r"^\s+guards?\b", after, re.I))
    if word not in ("outstanding", "extraordinary"):
        return False
    if word == "outstanding":
        return bool(
            _OUTSTANDING_FINANCE_AFTER.match(after) or _OUTSTANDING_FINANCE_BEFORE.search(before)
        )
    return bool(
        _EXTRAORDINARY_FINANCE_AFTER.match(after) or _EXTRAORDINARY_FINANCE_BEFORE.search(before)
    )


def _cue(kind: str, text: str, start: int, end: int) -> CueMatch | None:
    """The cue a match of group ``kind`` at ``text[start:end]`` stands for, or None."""
    if kind != "claim":
        if _is_not_a_cue(kind, text, start, end):
            return None
        return CueMatch("hedge", kind, start, end)
    if _is_not_a_booster(text, start, end):
        return None
    before, after = text[max(0, start - 60) : start], text[end:]
    low = text[start:end].lower()
    negatable = not low.startswith(("no doubt", "there is no", "there can be no", "without"))
    negated = negatable and bool(_NEGATION_BEFORE.search(before))
    questioned = bool(_QUESTIONED_AFTER.match(after))
    return CueMatch("claim", None, start, end, negated=negated or questioned)


def _find_cues_reference(text: str) -> list[CueMatch]:
    """``find_cues`` by the single alternation: the definition the fast path is held to."""
    found = []
    for m in _PATTERN.finditer(text):
        cue = _cue(m.lastgroup or "", text, m.start(), m.end())
        if cue is not None:
            found.append(cue)
    return found


# --------------------------------------------------------------------------- the fast path
#
# Which strings can a fragment's matches begin with? A small reader of the syntax the
# lexicon uses (literals, escapes, classes, (?:...) groups, |, ?, *, +, {m,n}) answers with
# every prefix of up to _PREFIX_LEN characters. Anything else (named groups, lookarounds,
# ranges in classes...) raises _Unsupported, and find_cues then stays on the reference.

#: How many leading characters the prefilter checks (7: about 20 candidates per 400 words).
_PREFIX_LEN = 7
#: Stands for any character in a prefix (\w, \d, a class with a range).
_ANY = "\0"
_META = frozenset(".^$*+?{}[]\\|()")
_EMPTY: frozenset[tuple[str, bool]] = frozenset({("", True)})

#: A truncated language: (prefix, whether a match can end right after it).
_Prefixes = frozenset[tuple[str, bool]]


class _Unsupported(ValueError):
    """A fragment uses syntax the prefix reader does not know."""


def _concat(left: _Prefixes, right: _Prefixes) -> _Prefixes:
    out = set()
    for head, complete in left:
        if len(head) >= _PREFIX_LEN or not complete:
            out.add((head, complete and len(head) < _PREFIX_LEN))
            continue
        for tail, tail_complete in right:
            joined = head + tail
            out.add((joined[:_PREFIX_LEN], tail_complete and len(joined) < _PREFIX_LEN))
    return frozenset(out)


def _read_alternation(s: str, i: int) -> tuple[_Prefixes, int]:
    found: set[tuple[str, bool]] = set()
    while True:
        branch, i = _read_sequence(s, i)
        found |= branch
        if i < len(s) and s[i] == "|":
            i += 1
            continue
        return frozenset(found), i


def _read_sequence(s: str, i: int) -> tuple[_Prefixes, int]:
    found = _EMPTY
    while i < len(s) and s[i] not in "|)":
        atom, i = _read_atom(s, i)
        low, high, i = _read_quantifier(s, i)
        repeated = set(_EMPTY) if low == 0 else set()
        so_far = _EMPTY
        # Repeating more than _PREFIX_LEN times adds no new prefix (every atom is non-empty).
        for count in range(1, min(high, _PREFIX_LEN) + 1):
            so_far = _concat(so_far, atom)
            if count >= low:
                repeated |= so_far
        if low > _PREFIX_LEN:
            raise _Unsupported(s)
        found = _concat(found, frozenset(repeated))
    return found, i


def _read_atom(s: str, i: int) -> tuple[_Prefixes, int]:
    c = s[i]
    if c == "(":
        if not s.startswith("(?:", i):
            raise _Unsupported(s)
        inner, i = _read_alternation(s, i + 3)
        if i >= len(s) or s[i] != ")":
            raise _Unsupported(s)
        if ("", True) in inner:
            raise _Unsupported(s)  # an atom that can match nothing: not in the lexicon
        return inner, i + 1
    if c == "[":
        j, chars = i + 1, set()
        if s.startswith("^", j):
            raise _Unsupported(s)
        while j < len(s) and s[j] != "]":
            if s[j] == "\\" and j + 1 < len(s):
                chars.add(_ANY if s[j + 1].isalnum() else s[j + 1])
                j += 2
            elif j + 2 < len(s) and s[j + 1] == "-" and s[j + 2] != "]":
                chars.add(_ANY)
                j += 3
            else:
                chars.add(s[j])
                j += 1
        if j >= len(s):
            raise _Unsupported(s)
        return frozenset({(_ANY, True)} if _ANY in chars else {(x, True) for x in chars}), j + 1
    if c == "\\" and i + 1 < len(s):
        return frozenset({(_ANY if s[i + 1].isalnum() else s[i + 1], True)}), i + 2
    if c in _META:
        raise _Unsupported(s)
    return frozenset({(c, True)}), i + 1


def _read_quantifier(s: str, i: int) -> tuple[int, int, int]:
    unbounded = _PREFIX_LEN + 1
    if i < len(s) and s[i] in "?*+":
        low, high = {"?": (0, 1), "*": (0, unbounded), "+": (1, unbounded)}[s[i]]
        i += 1
    elif i < len(s) and s[i] == "{":
        close = s.find("}", i)
        if close < 0:
            raise _Unsupported(s)
        first, comma, second = s[i + 1 : close].partition(",")
        try:
            low = int(first or 0)
            high = (int(second) if second else unbounded) if comma else low
        except ValueError:
            raise _Unsupported(s) from None
        i = close + 1
    else:
        return 1, 1, i
    if i < len(s) and s[i] == "?":
        i += 1  # lazy or greedy: the same prefixes
    return low, high, i


def fragment_prefixes(fragment: str) -> frozenset[str]:
    """Lower-cased strings of up to _PREFIX_LEN characters every match of ``fragment`` starts
    with one of (``_ANY`` stands for any character); raises _Unsupported on unknown syntax."""
    found, end = _read_alternation(fragment, 0)
    if end != len(fragment) or any(not head for head, _ in found):
        raise _Unsupported(fragment)
    return frozenset(head.lower() for head, _ in found)


def _trie(prefixes: set[str]) -> str:
    """A case-sensitive regex matching any text that starts with one of ``prefixes``: each
    letter is a class of its two ASCII cases (non-ASCII text is left to the caller)."""
    if "" in prefixes:
        return ""
    by_first: dict[str, set[str]] = {}
    for p in prefixes:
        by_first.setdefault(p[0], set()).add(p[1:])
    branches = []
    for first, rest in sorted(by_first.items()):
        if first == _ANY:
            chars = r"[\s\S]"
        else:
            cases = sorted({first, first.upper()})
            chars = "[" + "".join(re.escape(x) for x in cases) + "]"
        sub = _trie(rest)
        branches.append(chars + (f"(?:{sub})" if sub else ""))
    return "|".join(branches)


def _build_fast_path() -> (
    tuple[re.Pattern[str], re.Pattern[str], dict[str, re.Pattern[str]]] | None
):
    """The prefilters (for ASCII text, for any text) and one pattern per ASCII first letter,
    or None when the lexicon uses syntax the prefix reader does not know (find_cues then
    runs the reference)."""
    kinds = [("claim", CLAIM_CUES), *HEDGE_CUES.items()]
    prefixes: set[str] = set()
    by_letter: dict[str, dict[str, list[str]]] = {}
    try:
        for kind, fragments in kinds:
            # The same order as in _PATTERN: a letter's pattern keeps the reference's choice.
            for fragment in sorted(fragments, key=len, reverse=True):
                heads = fragment_prefixes(fragment)
                if any(not ("a" <= head[0] <= "z") for head in heads):
                    return None
                prefixes |= heads
                for letter in sorted({head[0] for head in heads}):
                    by_letter.setdefault(letter, {}).setdefault(kind, []).append(fragment)
    except _Unsupported:
        return None
    # A word is a candidate when it starts like a fragment. In text that is not all ASCII,
    # also when a non-ASCII character is among its first letters, since one may match a
    # fragment's letter ("ſ" is an "s" under IGNORECASE): the prefilter stays a superset of
    # the places the reference can match at.
    trie = _WORD_START + f"(?={_trie(prefixes)})"
    ascii_candidates = re.compile(trie)
    candidates = re.compile(
        f"{trie}|{_WORD_START}(?=[\\x00-\\x7f]{{0,{_PREFIX_LEN - 1}}}[^\\x00-\\x7f])"
    )
    patterns = {}
    for letter, groups in by_letter.items():
        alternation = "|".join(f"(?P<{kind}>{'|'.join(frs)})" for kind, frs in groups.items())
        pattern = re.compile(f"(?:{alternation}){_WORD_END}", re.I)
        patterns[letter] = patterns[letter.upper()] = pattern
    return ascii_candidates, candidates, patterns


_FAST_PATH = _build_fast_path()


def find_cues(text: str) -> list[CueMatch]:
    """Every claim and hedge cue in ``text`` (a sentence), left to right, non-overlapping."""
    if _FAST_PATH is None:
        return _find_cues_reference(text)
    ascii_candidates, candidates, patterns = _FAST_PATH
    found = []
    resume = 0  # like finditer: the next match starts where the last one ended, or later
    for word in (ascii_candidates if text.isascii() else candidates).finditer(text):
        start = word.start()
        if start < resume:
            continue
        # A non-ASCII first letter ("ſurely") takes the whole alternation, as the reference.
        m = patterns.get(text[start], _PATTERN).match(text, start)
        if m is None:
            continue
        resume = m.end()
        cue = _cue(m.lastgroup or "", text, start, resume)
        if cue is not None:
            found.append(cue)
    return found
