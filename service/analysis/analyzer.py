"""analyze(text) -> Analysis: the whole pipeline in order.

segment -> lexicon cues -> features and cue tagger -> probabilities (all sentences of all
documents in one matrix) -> flags and reported cues -> links -> balance.

Reported claim cues come from the lexicon (cues.py, with its negation rules) and, where it
has none, from the learned claim tagger; hedge cues from the learned hedge tagger
(tagger.py), which reads each word in its context, widened to the lexicon's phrases
(``tagger.merge_cues``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.analysis import balance as balance_mod
from service.analysis.cues import CueMatch, find_cues
from service.analysis.heads import COLUMNS, decide_types
from service.analysis.linking import LinkInput, link, link_input
from service.analysis.model import CaveatModel
from service.analysis.segment import Span
from service.analysis.tagger import merge_cues
from service.analysis.types import (
    HEDGE_TYPES,
    TITLE_INDEX,
    Analysis,
    Cue,
    HedgeScore,
    LabelScore,
    SentenceResult,
)

#: How many features an explanation lists per label.
EXPLAIN_TOP = 6
#: The name of the cue tagger's term in a hedge explanation.
TAGGER_TERM = "tagger:likeliest-cue-word"


@dataclass
class _Doc:
    text: str
    title: str | None
    doc_id: str | None
    spans: list[Span]


class Analyzer:
    """Runs the analysis with one loaded model; safe to share between threads (read-only)."""

    def __init__(self, model: CaveatModel):
        self.model = model
        self._names = model.features.get_feature_names_out()

    def analyze(
        self, text: str, title: str | None = None, doc_id: str | None = None, explain: bool = False
    ) -> Analysis:
        """Analyse one article (and its title, when given)."""
        return self.analyze_many([(text, title, doc_id)], explain=explain)[0]

    def analyze_many(
        self, docs: Sequence[tuple[str, str | None, str | None]], explain: bool = False
    ) -> list[Analysis]:
        """Analyse several articles, predicting all their sentences in one vectorised call."""
        parsed = [_Doc(t, ti, i, self.model.segmenter.split(t)) for t, ti, i in docs]
        texts: list[str] = []
        for doc in parsed:
            if doc.title is not None and doc.title.strip():
                # Stripped, as every sentence of the body is; its offsets still index the title.
                texts.append(doc.title.strip())
            texts.extend(doc.text[s.start : s.end] for s in doc.spans)
        lexicon = [find_cues(t) for t in texts]
        if texts:
            prediction = self.model.predict(texts, lexicon)
            X, proba, tagged, cue_max, claim_max, claim_tagged = prediction[:6]
        else:
            X, proba, tagged, claim_tagged = None, np.zeros((0, len(COLUMNS))), [], []
            cue_max = claim_max = np.zeros(0)
        # Each label's tagger reading, in heads.COLUMNS order (claim, hedge): for explanations.
        tag_max = (claim_max, cue_max)
        cues = [
            merge_cues(text, found, spans, claim_spans)
            for text, found, spans, claim_spans in zip(
                texts, lexicon, tagged, claim_tagged, strict=True
            )
        ]
        # Python floats once for all rows: indexing numpy element by element costs more.
        rows_proba = proba.tolist()
        results, row = [], 0
        for doc in parsed:
            has_title = doc.title is not None and bool(doc.title.strip())
            n = len(doc.spans) + has_title
            rows = range(row, row + n)
            results.append(
                self._assemble(doc, has_title, texts, cues, X, tag_max, rows_proba, rows, explain)
            )
            row += n
        return results

    def _assemble(self, doc, has_title, texts, cues, X, tag_max, proba, rows, explain) -> Analysis:
        thresholds = self.model.thresholds
        type_thresholds = [thresholds["types"][t] for t in HEDGE_TYPES]
        units: list[tuple[int, int, int, int]] = []  # (index, offset, paragraph, row)
        if has_title:
            lead = len(doc.title) - len(doc.title.lstrip())
            units.append((TITLE_INDEX, lead, -1, rows[0]))
        for k, span in enumerate(doc.spans):
            units.append((k, span.start, span.paragraph, rows[k + has_title]))
        results: list[SentenceResult] = []
        link_inputs: list[LinkInput] = []
        claim_threshold, hedge_threshold = thresholds["claim"], thresholds["hedge"]
        for position, (index, offset, paragraph, r) in enumerate(units):
            p_claim, p_hedge, *type_proba = proba[r]
            claim_on = p_claim >= claim_threshold
            hedge_on = p_hedge >= hedge_threshold
            found = cues[r]
            types = decide_types(type_proba, type_thresholds) if hedge_on else []
            shown = reported_cues(found, claim_on, types) if found else []
            text = texts[r]
            results.append(
                SentenceResult(
                    index=index,
                    start=offset,
                    end=offset + len(text),
                    text=text,
                    claim=LabelScore(round(p_claim, 4), claim_on),
                    hedge=HedgeScore(round(p_hedge, 4), hedge_on, types),
                    cues=[
                        Cue(
                            c.label, c.type, offset + c.start, offset + c.end, text[c.start : c.end]
                        )
                        for c in shown
                    ],
                    paragraph=paragraph,
                    features=self._explain(X, r, tag_max[0][r], tag_max[1][r]) if explain else None,
                )
            )
            if claim_on or hedge_on:  # only flagged sentences are linked
                link_inputs.append(
                    link_input(index, position, paragraph, text, claim_on, hedge_on, shown, found)
                )
        links = link(link_inputs, paragraphs=len({span.paragraph for span in doc.spans}))
        weights = {s.index: s.claim.probability for s in results if s.claim.flagged}
        hedges = sum(s.hedge.flagged for s in results)
        title = results.pop(0) if has_title else None
        return Analysis(
            id=doc.doc_id,
            model=self.model.info,
            balance=balance_mod.balance(weights, hedges, links),
            sentences=results,
            links=links,
            title=title,
        )

    def _explain(self, X, r: int, claim_max: float, cue_max: float) -> dict:
        """The strongest terms of each label's log-odds (row ``r`` of the feature matrix).
        Each adds its cue tagger's reading (``claim_max``, ``cue_max``: its likeliest cue
        word's P(cue)) to its head's, so each list holds the tagger as one term beside the
        features. Read from the row's own features (in column order), so that it costs what
        the sentence holds, not the vocabulary (a 100-document batch of one-word lines with
        explain took 55 s when each term was looked for among all the columns)."""
        row = slice(X.indptr[r], X.indptr[r + 1])
        indices, data = X.indices[row], X.data[row]
        out = {}
        for j, (label, best) in enumerate((("claim", claim_max), ("hedge", cue_max))):
            contrib, extra = self.model.explain(indices, data, j, best)
            items = [
                (str(self._names[i]), float(c))
                for i, c in zip(indices.tolist(), contrib.tolist(), strict=True)
                if c
            ]
            items.append((TAGGER_TERM, extra))
            items.sort(key=lambda item: -abs(item[1]))
            out[label] = [
                {"feature": name, "weight": round(weight, 4)}
                for name, weight in items[:EXPLAIN_TOP]
            ]
        return out


def reported_cues(found: list[CueMatch], claim_on: bool, types: list[str]) -> list[CueMatch]:
    """The cues shown to readers: claim cues of a flagged claim (never a negated booster) and
    hedge cues of the types the model gave a flagged hedge."""
    return [
        c
        for c in found
        if (c.label == "claim" and claim_on and not c.negated)
        or (c.label == "hedge" and c.type in types)
    ]
