"""Claim <-> caveat links: which hedge sentences qualify which claim sentences, and how strongly.

A hedge qualifies a claim when it is about the same thing (LABELING.md). We
read "the same thing" from evidence a reader would use:

- the same sentence ("X is a big step, but more work is needed");
- nearness: 1 sentence away counts fully, 2 half, 3 a third;
- shared content words (overlap coefficient of their stems);
- the same paragraph;
- a contrast opening ("However, ...", "But ...") right after the claim.

A claim restated elsewhere in the article (the same booster phrase of two words
or more, "tremendous progress") is the same thing: it shares the caveats of
its other statements, at ``RESTATED`` times their strength.

A story of four paragraphs or more has a lead: a claim among its first four sentences (the
headline included) is what the story is about, and every hedge up to 40 sentences after it
qualifies it. Any other claim of a story is qualified so by the hedges after it in its own
paragraph and the next two (rule 9). Such a "story" link is kept whatever its relatedness, at
strength ``LEAD_STRENGTH`` (0.2) at least: a far caveat qualifies a claim, but weakly, so a
claim with several of them is not read as fully qualified (rule 10). People labeling whole
articles by LABELING.md linked claims so, across paragraphs, in articles written in today's
manner (two annotators agree on those links at F1 0.82); in 1987 wire copy, one paragraph to
the segmenter, they seldom do, and there these rules never apply (docs/linking-decisions.md,
rules 8 to 10). Nor, in a story, does a caveat qualify a claim that comes after it: people
labeling the written articles never linked one so (rule 11).

A link's strength is ``relatedness``, a weighted sum of these in [0, 1],
between a flagged claim and a flagged hedge; it is kept when it reaches
``MIN_STRENGTH``. With the weights below an adjacent hedge links within the
paragraph (across one, with shared words); one two or three sentences away
needs shared words; one further away never links directly (at most 0.35 +
0.15 = 0.50: ``FAR_WINDOW`` only bounds the search), only through a restated
claim or as a story's caveat. ``MIN_STRENGTH`` was 0.35 until people's links of whole
articles (``training.evaluate_articles``) showed that it over-linked: then every
hedge two sentences from a claim in the same paragraph linked, and a Reuters
body is one paragraph. 0.55 was chosen on the articles' dev part (README, "Links
and balance against people").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.analysis.cues import CueMatch
from service.analysis.types import Link

#: Sentences further apart than this get no nearness; beyond it, at MIN_STRENGTH 0.55, shared
#: words and the paragraph alone (0.50 at most) do not link them.
WINDOW = 3
FAR_WINDOW = 8
MIN_STRENGTH = 0.55
# Weights of the evidence for sentences that differ (they sum to 1).
W_NEAR, W_OVERLAP, W_PARAGRAPH, W_CONTRAST = 0.4, 0.35, 0.15, 0.1
# A claim and a hedge cue in one sentence: the hedge qualifies it outright.
SAME_SENTENCE = 0.9
#: Discount on a caveat borrowed from another statement of the same claim.
RESTATED = 0.8
#: How many caveats a restated claim borrows at most.
BORROWED = 3
#: A story (above): LEAD_PARAGRAPHS paragraphs or more. Its lead is its first LEAD_SENTENCES
#: sentences, whose claims take the caveats up to LEAD_REACH sentences on; any other claim of
#: it takes those of its own and the next FOLLOW_PARAGRAPHS paragraphs, as far as LEAD_REACH
#: too (a bound for linear time and output, not tuned); each at LEAD_STRENGTH at least, kept
#: below MIN_STRENGTH. K = 4 was chosen of 2-4 (rule 8), FOLLOW_PARAGRAPHS = 2 of 1-2 (rule 9),
#: LEAD_STRENGTH = 0.2 of 0.2-0.6 (rule 10), all on written articles w000-w031
#: (docs/linking-decisions.md).
LEAD_PARAGRAPHS = 4
LEAD_SENTENCES = 4
FOLLOW_PARAGRAPHS = 2
LEAD_REACH = 40
LEAD_STRENGTH = 0.2

_WORD = re.compile(r"[^\W\d_]{3,}")
_STOP = frozenset(
    """the and for that this with from was were are has have had been will would could should
    may might can not but its his her their our your they them there then than which who whom
    what when where while also into onto over under about after before more most such some any
    all each other only very said says say just even still yet however although though because
    upon being these those it's he's she's one two new does did done make made many much""".split()
)


def content_stems(text: str) -> frozenset[str]:
    """Crude stems of the content words of a sentence (stopwords out, common suffixes cut)."""
    # Each distinct word once: a sentence's repeats and stopwords are set arithmetic in C.
    return frozenset(map(_stem, set(_WORD.findall(text.lower())) - _STOP))


def _stem(word: str) -> str:
    """Cut the first of "ing", "ed", "es", "s" that ends the word with more than three letters
    before it. (Not memoised: a memo would hold the words of drafts between requests.)"""
    n = len(word)
    if n > 6 and word.endswith("ing"):
        return word[:-3]
    if n > 5 and word.endswith(("ed", "es")):
        return word[:-2]
    if n > 4 and word.endswith("s"):
        return word[:-1]
    return word


@dataclass(slots=True)
class LinkInput:
    """What linking needs to know of one sentence (the title has index TITLE_INDEX)."""

    index: int
    position: int  # order in the article, the title first
    paragraph: int
    claim: bool
    hedge: bool
    stems: frozenset[str]
    opens_with_contrast: bool
    #: Lower-cased claim cue phrases of two words or more (what makes a claim "the same").
    claim_phrases: frozenset[str] = frozenset()


def link_input(
    index: int,
    position: int,
    paragraph: int,
    text: str,
    claim: bool,
    hedge: bool,
    shown: Iterable[CueMatch],
    found: Iterable[CueMatch],
) -> LinkInput:
    """What linking reads of a sentence flagged ``claim`` and/or ``hedge``: ``shown``, the
    cues reported for it (its claim phrases), ``found``, all its cues (a contrast opening)."""
    return LinkInput(
        index=index,
        position=position,
        paragraph=paragraph,
        claim=claim,
        hedge=hedge,
        stems=content_stems(text),
        claim_phrases=frozenset(
            text[c.start : c.end].lower()
            for c in shown
            if c.label == "claim" and " " in text[c.start : c.end]
        ),
        opens_with_contrast=any(c.type == "contrast" and c.start <= 2 for c in found),
    )


def relatedness(claim: LinkInput, hedge: LinkInput) -> float:
    """How surely ``hedge`` is about what ``claim`` says, in [0, 1]."""
    if claim.index == hedge.index:
        return SAME_SENTENCE
    distance = abs(claim.position - hedge.position)
    smaller = min(len(claim.stems), len(hedge.stems))
    overlap = len(claim.stems & hedge.stems) / smaller if smaller else 0.0
    if distance > FAR_WINDOW or (distance > WINDOW and overlap < 0.5):
        return 0.0
    near = 1.0 / distance if distance <= WINDOW else 0.0
    same_paragraph = claim.paragraph == hedge.paragraph
    turn = hedge.opens_with_contrast and hedge.position == claim.position + 1
    return (
        W_NEAR * near
        + W_OVERLAP * min(1.0, 2.0 * overlap)
        + W_PARAGRAPH * same_paragraph
        + W_CONTRAST * turn
    )


def link(sentences: list[LinkInput], paragraphs: int = 1) -> list[Link]:
    """Every claim-hedge pair whose strength reaches MIN_STRENGTH, and in a story every pair
    that rules 8 and 9 take and none whose hedge comes before the claim (rule 11), by claim
    then hedge order.
    ``paragraphs``: how many paragraphs the article has (a story of LEAD_PARAGRAPHS or more
    has a lead).

    Only hedges within FAR_WINDOW positions of a claim (LEAD_REACH after it, in a story) can
    relate to it, so each claim looks at that window alone: linear in the article's length,
    not claims x hedges.
    """
    hedges = sorted((s for s in sentences if s.hedge), key=lambda s: s.position)
    positions = [h.position for h in hedges]
    story = paragraphs >= LEAD_PARAGRAPHS
    links = []
    for c in (s for s in sentences if s.claim):
        # In a story no caveat before the claim's own sentence qualifies it (rule 11).
        lo = bisect.bisect_left(positions, c.position if story else c.position - FAR_WINDOW)
        # In a story, the paragraphs whose later caveats a claim takes: all, for a lead claim.
        last = c.paragraph + FOLLOW_PARAGRAPHS if c.position >= LEAD_SENTENCES else None
        reach = LEAD_REACH if story else FAR_WINDOW
        hi = bisect.bisect_right(positions, c.position + reach)
        for h in hedges[lo:hi]:
            taken = story and h.position > c.position and (last is None or h.paragraph <= last)
            if h.position - c.position > FAR_WINDOW:  # no relatedness this far (it would be 0)
                if not taken:
                    break  # each later hedge is farther, and in this paragraph or a later one
                strength = LEAD_STRENGTH
            else:
                strength = relatedness(c, h)
                if taken:
                    strength = max(strength, LEAD_STRENGTH)
            if taken or strength >= MIN_STRENGTH:
                links.append(Link(claim=c.index, hedge=h.index, strength=round(strength, 4)))
    found = links + _restated(sentences, links)
    if story:  # nor one that a restated claim borrows from a statement before the caveat
        at = {s.index: s.position for s in sentences}
        found = [x for x in found if at[x.hedge] >= at[x.claim]]
    return sorted(found, key=lambda x: (x.claim, x.hedge))


def _restated(sentences: list[LinkInput], links: list[Link]) -> list[Link]:
    """Links that a restated claim borrows from its other statements.

    Each statement borrows at most BORROWED of the strongest caveats of its phrase, so an
    article that repeats one claim a thousand times stays linear, not quadratic.
    """
    members: dict[str, list[int]] = {}
    for s in sentences:
        if s.claim:
            for phrase in s.claim_phrases:
                members.setdefault(phrase, []).append(s.index)
    phrases_of = {s.index: s.claim_phrases for s in sentences}
    by_phrase: dict[str, list[Link]] = {}
    for x in links:
        for phrase in phrases_of[x.claim]:
            by_phrase.setdefault(phrase, []).append(x)
    direct = {(x.claim, x.hedge) for x in links}
    borrowed: dict[tuple[int, int], float] = {}
    for phrase, found in by_phrase.items():
        # Enough candidates that, after skipping a claim's own links, BORROWED remain.
        best = sorted(found, key=lambda x: -x.strength)
        for claim in members[phrase]:
            taken = 0
            for x in best:
                if taken == BORROWED or x.strength * RESTATED < MIN_STRENGTH:
                    break
                key = (claim, x.hedge)
                if x.claim == claim or key in direct:
                    continue
                strength = round(x.strength * RESTATED, 4)
                if strength > borrowed.get(key, 0.0):
                    borrowed[key] = strength
                taken += 1
    return [Link(c, h, s) for (c, h), s in sorted(borrowed.items())]
