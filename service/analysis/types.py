"""The plain result types of an analysis; the HTTP layer dumps them with its schemas.

The per-sentence types (made a hundred times for a 400-word article) are slotted, not
frozen: a frozen dataclass sets each field through ``object.__setattr__``, five times
the cost of a plain one. They are built once per request and never shared; what is
shared between requests (``ModelInfo``) stays frozen."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The five hedge types of LABELING.md, in the order they are reported.
HEDGE_TYPES = ("uncertainty", "limitation", "condition", "contrast", "attribution")
#: balance.label values of DESIGN.md.
BALANCE_LABELS = ("no-claims", "one-sided", "partly-qualified", "balanced")
#: Sentence index used for the title in links (the title is not in ``sentences``).
TITLE_INDEX = -1


@dataclass(slots=True)
class Cue:
    """A claim or hedge cue: offsets into the analysed text (or the title, for title cues)."""

    label: str  # "claim" | "hedge"
    type: str | None  # a HEDGE_TYPES member for hedge cues, None for claim cues
    start: int
    end: int
    text: str


@dataclass(slots=True)
class LabelScore:
    """One label's probability and whether it passed its threshold."""

    probability: float
    flagged: bool


@dataclass(slots=True)
class HedgeScore(LabelScore):
    """The hedge label, with the types of its cues when flagged."""

    types: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SentenceResult:
    """One analysed sentence; ``text == source[start:end]``."""

    index: int
    start: int
    end: int
    text: str
    claim: LabelScore
    hedge: HedgeScore
    cues: list[Cue]
    paragraph: int = 0
    #: With explain=True: {"claim": [{"feature", "weight"}...], "hedge": [...]}; else None.
    features: dict | None = None


@dataclass(frozen=True)
class Link:
    """A claim sentence qualified by a hedge sentence (indexes; TITLE_INDEX is the title)."""

    claim: int
    hedge: int
    strength: float


@dataclass(frozen=True)
class Balance:
    """The article-level balance readout."""

    score: float | None
    label: str
    claims: int
    hedges: int
    qualified_claims: int
    summary: str


@dataclass(frozen=True)
class ModelInfo:
    """Name and version of the model that produced an analysis."""

    name: str
    version: str


@dataclass(frozen=True)
class Analysis:
    """The whole analysis of one article, as POST /v1/analyze returns it."""

    id: str | None
    model: ModelInfo
    balance: Balance
    sentences: list[SentenceResult]
    links: list[Link]
    #: The title analysed like a sentence (offsets into the title), or None when none was given.
    title: SentenceResult | None = None
