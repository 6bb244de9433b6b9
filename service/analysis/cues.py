"""Claim boosters and hedge cues with their types, found in a sentence with context rules.

The lexicon is the project's own, written against LABELING.md. One compiled
regular expression per run finds every candidate (case-insensitive, on the text
exactly as submitted, so offsets need no mapping); context rules then drop the
readings that are not cues: a negated booster, "May" the month or the name,
"might" the noun, "could" of past ability, "yet" that is not a turn.
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
        r"(?:is|are|was|were) expected to",
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
        r"(?:has|have|had) yet to",
        r"still (?:has|have|had|need|needs|needed) to",
        r"still (?:being|to be) \w+",
        r"only (?:a|the) first step",
        r"(?:is|are|was) not a silver bullet",
        r"no silver bullet",
        r"not a substitute for",
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
        r"caveat",
        r"sobering",
        r"premature",
        r"too early to",
        r"remains? (?:arduous|difficult)",
        r"still needs",
        r"needs to be bridged",
        r"does not mean",
        r"doesn't mean",
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
        r"depend(?:s|ed|ing)? (?:on|upon)",
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
_WHILE_NOUN_BEFORE = re.compile(r"(?:\b(?:a|the|little|short|long|worth|great|good)\s+$)", re.I)
_IF_NOT_CONDITION_BEFORE = re.compile(r"(?:\b(?:as|even|what)\s+$)", re.I)
_PERSON_TITLE_BEFORE = re.compile(
    r"(?:\b(?:Theresa|Brian|Mrs?\.?|Ms\.?|Prime Minister|Minister)"
    r"\s+$)"
)


@dataclass(frozen=True)
class CueMatch:
    """One cue in a sentence; offsets are relative to the string searched."""

    label: str  # "claim" | "hedge"
    type: str | None
    start: int
    end: int
    negated: bool = False  # a booster under negation or question: reported as a hedge feature only


def _alternation(fragments: list[str]) -> str:
    # Longest fragments first so that "more work is needed" beats "work".
    return "|".join(sorted(fragments, key=len, reverse=True))


def _build_pattern() -> re.Pattern[str]:
    groups = [f"(?P<claim>{_alternation(CLAIM_CUES)})"]
    for kind, fragments in HEDGE_CUES.items():
        groups.append(f"(?P<{kind}>{_alternation(fragments)})")
    # Word boundaries that respect hyphens and inner apostrophes ("don't" holds no "t"), while
    # a quotation mark before a word ('Tremendous Progress') still lets it match.
    return re.compile(r"(?<![\w-])(?<!\w['’])(?:" + "|".join(groups) + r")(?![\w-])", re.I)


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
    if kind == "contrast" and head == "while" and _WHILE_NOUN_BEFORE.search(before):
        return True
    if kind == "condition" and head == "if" and _IF_NOT_CONDITION_BEFORE.search(before):
        return True
    return False


def find_cues(text: str) -> list[CueMatch]:
    """Every claim and hedge cue in ``text`` (a sentence), left to right, non-overlapping."""
    found = []
    for m in _PATTERN.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        if kind != "claim":
            if not _is_not_a_cue(kind, text, start, end):
                found.append(CueMatch("hedge", kind, start, end))
            continue
        before, after = text[max(0, start - 60) : start], text[end:]
        low = m.group().lower()
        negatable = not low.startswith(("no doubt", "there is no", "there can be no", "without"))
        negated = negatable and bool(_NEGATION_BEFORE.search(before))
        questioned = bool(_QUESTIONED_AFTER.match(after))
        found.append(CueMatch("claim", None, start, end, negated=negated or questioned))
    return found
