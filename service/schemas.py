"""Every marshmallow schema of the API; /openapi.json is built from these same classes.

Request schemas validate strictly: required fields, length limits, unknown
fields rejected, and no coercion (a string must be a string, a boolean a JSON
boolean). Response schemas dump the dataclasses of ``service.analysis.types``
and can load a response back, which is how the tests check the real app's
answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from marshmallow import RAISE, Schema, ValidationError, fields, post_dump, pre_load, validate

from .analysis.types import (
    BALANCE_LABELS,
    HEDGE_TYPES,
    TITLE_INDEX,
    Analysis,
    LabelScore,
    SentenceResult,
)
from .errors import CODES, MESSAGES, APIError

#: DESIGN.md's limits; MAX_TEXT_CHARS and MAX_BATCH_DOCUMENTS can be lowered or raised in config.
MAX_TEXT_CHARS = 100_000
MAX_BATCH_DOCUMENTS = 100
MAX_ID_CHARS = 200
#: DESIGN.md gives no title limit; a headline this long is no headline.
MAX_TITLE_CHARS = 1_000
#: Sentences a document may hold, and characters (texts and titles) a batch may hold:
#: they bound the time one request holds a worker (config MAX_SENTENCES, MAX_BATCH_CHARS).
#: Measured on one core: a document of 2,000 sentences that are each a claim and a hedge
#: (the most work a sentence makes) takes 4-8 s; a batch of 100,000 such characters ~11 s.
#: A batch holds at least what one document may: a batch of one that /v1/analyze would take
#: is never refused for its size.
MAX_SENTENCES = 2_000
MAX_BATCH_CHARS = MAX_TEXT_CHARS + MAX_TITLE_CHARS


# --------------------------------------------------------------------------- fields and validators


class StrictBoolean(fields.Boolean):
    """A JSON ``true`` or ``false`` only: not "yes", "1" or 1."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ConfiguredLength(validate.Length):
    """A length limit whose maximum can be a config key of the running app.

    The maximum is read when validating (and when /openapi.json is built), so
    that the documented limit is the enforced one; outside an app it is
    DESIGN.md's default.
    """

    def __init__(self, min: int, default: int, config_key: str | None = None):
        super().__init__(min=min, max=default)
        self.default = default
        self.config_key = config_key

    @property  # type: ignore[override]
    def max(self) -> int:
        """The configured maximum, else the default."""
        if self.config_key and has_app_context():
            return int(current_app.config.get(self.config_key, self.default))
        return self.default

    @max.setter
    def max(self, value: int) -> None:
        # validate.Length.__init__ assigns it; the live value is the property above.
        pass


class TextLength(ConfiguredLength):
    """The length of a text without its surrounding whitespace (offsets still index it as sent)."""

    message_blank = "Must not be empty or only whitespace."
    message_long = "Longer than {max} characters (not counting surrounding whitespace)."

    def __call__(self, value: str) -> str:
        """Raise unless the stripped text has min..max characters."""
        length = len(value.strip())
        if length < self.min:
            raise ValidationError(self.message_blank)
        if length > self.max:
            raise ValidationError(self.message_long.format(max=self.max))
        return value


#: Characters that can end a sentence (service.analysis.segment): line breaks as
#: str.splitlines knows them, and the marks Punkt, the ellipsis rule ("…") and the CJK
#: rule split at. Without "…", "a… We " repeated made 16,667 sentences of 100,000
#: characters, past the sentence limit, for the bound counted none of them.
_SENTENCE_END = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029.?!…。！？｡]")
#: The segmenter cuts a sentence longer than 5,000 characters into pieces of at least
#: 2,500 less a few code points; one extra sentence a 2,000 characters is a safe margin.
_CHARS_PER_CUT = 2_000


def sentence_upper_bound(text: str) -> int:
    """At least as many sentences as the segmenter finds in ``text``, counted in one scan."""
    return sum(1 for _ in _SENTENCE_END.finditer(text)) + len(text) // _CHARS_PER_CUT + 1


def count_sentences(text: str, limit: int) -> int:
    """The sentences of ``text`` when there could be more than ``limit``, else the cheap bound.

    Only a text whose bound passes the limit is segmented here (and once more by the
    analyzer): most articles never are. Without a segmenter (a stand-in analyzer in
    tests) the bound is the count.
    """
    bound = sentence_upper_bound(text)
    if bound <= limit:
        return bound
    analyzer = current_app.extensions.get("caveat") if has_app_context() else None
    segmenter = getattr(getattr(analyzer, "model", None), "segmenter", None)
    return bound if segmenter is None else len(segmenter.split(text))


class ArticleText(TextLength):
    """An article: 1..max characters after stripping, then at most MAX_SENTENCES sentences.

    The sentence limit bounds the work of one analysis, and so the time a request holds
    a worker; it is checked only once the length is within its limit.
    """

    message_sentences = "More than {max} sentences ({count}); send the article in parts."

    def __call__(self, value: str) -> str:
        """Raise unless the length and then the number of sentences are within the limits."""
        super().__call__(value)
        if not has_app_context():
            return value
        limit = int(current_app.config.get("MAX_SENTENCES", 0)) or None
        if limit is not None:
            count = count_sentences(value, limit)
            if count > limit:
                raise ValidationError(self.message_sentences.format(max=limit, count=count))
        return value


#: The limits on an article's text, shared by the JSON field and the text/plain body.
TEXT_LENGTH = ArticleText(1, MAX_TEXT_CHARS, "MAX_TEXT_CHARS")
#: The limits on a title.
TITLE_LENGTH = TextLength(1, MAX_TITLE_CHARS)


# --------------------------------------------------------------------------- requests


class DocumentSchema(Schema):
    """One article: the JSON body of POST /v1/analyze (with ``explain``) and each batch document."""

    class Meta:
        unknown = RAISE

    text = fields.String(
        required=True,
        validate=TEXT_LENGTH,
        metadata={
            "description": (
                "The article; offsets in the response index it as sent. At most "
                "MAX_SENTENCES sentences (2,000 unless configured)."
            )
        },
    )
    title = fields.String(
        load_default=None,
        allow_none=True,
        validate=TITLE_LENGTH,
        metadata={"description": "Analysed like a first sentence; its offsets index the title."},
    )
    id = fields.String(
        load_default=None,
        allow_none=True,
        attribute="doc_id",
        validate=validate.Length(max=MAX_ID_CHARS),
        metadata={"description": "Echoed back unchanged."},
    )


class AnalyzeRequestSchema(DocumentSchema):
    """The JSON body of POST /v1/analyze."""

    explain = StrictBoolean(
        load_default=False,
        metadata={"description": "true adds the features that drove each decision."},
    )


@dataclass(frozen=True)
class DocumentError:
    """A batch document that failed validation: answered alone, the others are still analysed."""

    id: str | None
    error: dict


class IsolatedDocument(fields.Nested):
    """A batch document whose validation errors stay with it: a bad one loads as DocumentError."""

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        """The loaded document, or a DocumentError (null and non-objects included)."""
        try:
            return super().deserialize(value, attr, data, **kwargs)
        except ValidationError as err:
            messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
            return DocumentError(
                id=_valid_id(value),
                error={"code": CODES[422], "message": MESSAGES[422], "details": messages},
            )


def _valid_id(document: Any) -> str | None:
    """The document's id when it is one we could echo, else None."""
    doc_id = document.get("id") if isinstance(document, dict) else None
    return doc_id if isinstance(doc_id, str) and len(doc_id) <= MAX_ID_CHARS else None


#: The number of documents a batch holds.
BATCH_LENGTH = ConfiguredLength(1, MAX_BATCH_DOCUMENTS, "MAX_BATCH_DOCUMENTS")


class BatchRequestSchema(Schema):
    """The JSON body of POST /v1/analyze/batch; only a malformed envelope fails as a whole."""

    class Meta:
        unknown = RAISE

    documents = fields.List(
        IsolatedDocument(DocumentSchema),
        required=True,
        validate=BATCH_LENGTH,
    )
    explain = StrictBoolean(
        load_default=False,
        metadata={"description": "true adds the features to every analysis."},
    )

    @pre_load
    def _within_the_batch_budget(self, data: Any, **kwargs: Any) -> Any:
        # Each document may be within its limits and all of them together still more than
        # one request should hold a worker for: 413, send fewer a request. Counted before
        # any document is validated (which may segment it), as the limits of a text and a
        # title count: without surrounding whitespace. A text or title over its own limit
        # is not counted: that document gets its own 422 and is not analysed.
        limit = current_app.config.get("MAX_BATCH_CHARS") if has_app_context() else None
        documents = data.get("documents") if isinstance(data, dict) else None
        if isinstance(documents, list):
            # Before any document is loaded: 500,000 tiny ones fit in a 1 MB body, and
            # each would cost an error object of its own before the count failed.
            try:
                BATCH_LENGTH(documents)
            except ValidationError as err:
                raise ValidationError({"documents": err.messages}) from None
        if limit and isinstance(documents, list):
            chars = sum(
                length
                for d in documents
                if isinstance(d, dict)
                for field, field_limit in (("text", TEXT_LENGTH.max), ("title", TITLE_LENGTH.max))
                if isinstance(d.get(field), str)
                and (length := len(d[field].strip())) <= field_limit
            )
            if chars > int(limit):
                raise APIError(
                    413,
                    CODES[413],
                    f"The documents hold {chars} characters in all; a batch may hold "
                    f"{int(limit)}. Send fewer documents a request.",
                    {"characters": chars, "limit": int(limit)},
                )
        return data


# --------------------------------------------------------------------------- responses


class _ResponseSchema(Schema):
    class Meta:
        # Loading a response back (in the tests) fails on any field the contract lacks.
        unknown = RAISE


class ModelInfoSchema(_ResponseSchema):
    """The model that produced an analysis."""

    name = fields.String(required=True)
    version = fields.String(required=True)


class CueSchema(_ResponseSchema):
    """A claim or hedge cue with its offsets."""

    label = fields.String(required=True, validate=validate.OneOf(("claim", "hedge")))
    type = fields.String(required=True, allow_none=True, validate=validate.OneOf(HEDGE_TYPES))
    start = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    text = fields.String(required=True)


class LabelScoreSchema(_ResponseSchema):
    """A label's probability and whether it passed its threshold."""

    probability = fields.Float(required=True, validate=validate.Range(0.0, 1.0))
    flagged = StrictBoolean(required=True)


class HedgeScoreSchema(LabelScoreSchema):
    """The hedge label with the types of its cues."""

    types = fields.List(fields.String(validate=validate.OneOf(HEDGE_TYPES)), required=True)


class FeatureWeightSchema(_ResponseSchema):
    """One feature and its contribution to a decision."""

    feature = fields.String(required=True)
    weight = fields.Float(required=True)


class FeaturesSchema(_ResponseSchema):
    """The features that drove each label's decision (explain=true)."""

    claim = fields.List(fields.Nested(FeatureWeightSchema), required=True)
    hedge = fields.List(fields.Nested(FeatureWeightSchema), required=True)


class SentenceSchema(_ResponseSchema):
    """One analysed sentence; ``text == article[start:end]``."""

    index = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    start = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    end = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    text = fields.String(required=True)
    paragraph = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    claim = fields.Nested(LabelScoreSchema, required=True)
    hedge = fields.Nested(HedgeScoreSchema, required=True)
    cues = fields.List(fields.Nested(CueSchema), required=True)
    features = fields.Nested(
        FeaturesSchema, metadata={"description": "Present only with explain=true."}
    )

    @post_dump
    def _drop_features_unless_explained(self, data: dict, **kwargs: Any) -> dict:
        # explain=true *adds* the features (DESIGN.md): without it the key is absent.
        if data.get("features") is None:
            data.pop("features", None)
        return data


class TitleSchema(SentenceSchema):
    """The title analysed like a sentence; its offsets index the title."""

    index = fields.Integer(
        required=True, strict=True, metadata={"description": f"Always {TITLE_INDEX}."}
    )
    paragraph = fields.Integer(
        required=True, strict=True, metadata={"description": f"Always {TITLE_INDEX}."}
    )


class BalanceSchema(_ResponseSchema):
    """The article-level balance readout."""

    score = fields.Float(
        required=True,
        allow_none=True,
        validate=validate.Range(0.0, 1.0),
        metadata={
            "description": "Share of claim weight qualified by linked caveats; null: no claim."
        },
    )
    label = fields.String(required=True, validate=validate.OneOf(BALANCE_LABELS))
    claims = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    hedges = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    qualified_claims = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    summary = fields.String(required=True)


class LinkSchema(_ResponseSchema):
    """A claim sentence qualified by a hedge sentence (index -1 is the title)."""

    claim = fields.Integer(required=True, strict=True, validate=validate.Range(min=TITLE_INDEX))
    hedge = fields.Integer(required=True, strict=True, validate=validate.Range(min=TITLE_INDEX))
    strength = fields.Float(
        required=True,
        validate=validate.Range(0.0, 1.0),
        metadata={
            "description": "How surely the hedge qualifies the claim: 0.9 in the same sentence; "
            "0.55 or more for a nearby hedge on the same subject; in a story of four paragraphs "
            "or more, a caveat later in the story also links, from 0.2. The balance score "
            "combines a claim's links as a noisy-OR of their strengths."
        },
    )


class AnalysisSchema(_ResponseSchema):
    """The 200 response of POST /v1/analyze."""

    id = fields.String(required=True, allow_none=True)
    model = fields.Nested(ModelInfoSchema, required=True)
    balance = fields.Nested(BalanceSchema, required=True)
    sentences = fields.List(fields.Nested(SentenceSchema), required=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)
    title = fields.Nested(
        TitleSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The title's analysis; null when no title was sent."},
    )


def _score(score: LabelScore) -> dict:
    return {"probability": float(score.probability), "flagged": score.flagged}


def _sentence(s: SentenceResult) -> dict:
    out = {
        "index": s.index,
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "paragraph": s.paragraph,
        "claim": _score(s.claim),
        "hedge": {**_score(s.hedge), "types": list(s.hedge.types)},
        "cues": [
            {"label": c.label, "type": c.type, "start": c.start, "end": c.end, "text": c.text}
            for c in s.cues
        ],
    }
    if s.features is not None:
        out["features"] = {
            label: [
                {"feature": f["feature"], "weight": float(f["weight"])} for f in s.features[label]
            ]
            for label in ("claim", "hedge")
        }
    return out


def analysis_dict(a: Analysis) -> dict:
    """What ``AnalysisSchema().dump(a)`` returns, built directly.

    The schema stays the contract (the OpenAPI document, and the tests load responses back
    with it); marshmallow's field-by-field dump of a 400-word article cost as much as a
    fifth of its analysis. tests/test_serialize.py checks the two agree.
    """
    b = a.balance
    return {
        "id": a.id,
        "model": {"name": a.model.name, "version": a.model.version},
        "balance": {
            "score": None if b.score is None else float(b.score),
            "label": b.label,
            "claims": b.claims,
            "hedges": b.hedges,
            "qualified_claims": b.qualified_claims,
            "summary": b.summary,
        },
        "sentences": [_sentence(s) for s in a.sentences],
        "links": [
            {"claim": k.claim, "hedge": k.hedge, "strength": float(k.strength)} for k in a.links
        ],
        "title": None if a.title is None else _sentence(a.title),
    }


class ErrorDetailSchema(_ResponseSchema):
    """What went wrong: a stable code, a message for people, details by field."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(_ResponseSchema):
    """The body of every error response."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class DocumentErrorSchema(_ResponseSchema):
    """A batch result for a document that could not be analysed."""

    id = fields.String(required=True, allow_none=True)
    error = fields.Nested(ErrorDetailSchema, required=True)


class AnalysisOrError(fields.Field):
    """A batch result: an analysis, or the error of that document alone."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> dict:
        # Built once per field, not once per document of every batch.
        if isinstance(value, Analysis):
            return analysis_dict(value)
        if not hasattr(self, "_error_schema"):
            self._error_schema = DocumentErrorSchema()
        return self._error_schema.dump(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict:
        if isinstance(value, dict) and "error" in value:
            return DocumentErrorSchema().load(value)
        return AnalysisSchema().load(value)


class BatchResponseSchema(_ResponseSchema):
    """The 200 response of POST /v1/analyze/batch: one result a document, in order."""

    results = fields.List(AnalysisOrError(), required=True)


class HealthSchema(_ResponseSchema):
    """GET /v1/health."""

    status = fields.String(required=True, validate=validate.OneOf(("ok", "unavailable")))
    model = fields.Nested(ModelInfoSchema, required=True, allow_none=True)


class ThresholdsSchema(_ResponseSchema):
    """The decision thresholds of the model card."""

    claim = fields.Float(required=True, validate=validate.Range(0.0, 1.0))
    hedge = fields.Float(required=True, validate=validate.Range(0.0, 1.0))
    types = fields.Dict(
        keys=fields.String(validate=validate.OneOf(HEDGE_TYPES)),
        values=fields.Float(validate=validate.Range(0.0, 1.0)),
        metadata={"description": "A flagged hedge's type is shown at or above its threshold."},
    )


class ModelCardSchema(_ResponseSchema):
    """GET /v1/model: the manifest the model was loaded and checked against."""

    name = fields.String(required=True)
    version = fields.String(required=True)
    trained_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601."})
    git_commit = fields.String(required=True, allow_none=True)
    artifact = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "file and sha256."}
    )
    segmenter = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "file and sha256."}
    )
    tagger = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The hedge cue tagger's file and sha256."},
    )
    claim_tagger = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "The claim cue tagger's file and sha256."},
    )
    hedge_combiner = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        required=True,
        metadata={"description": "Weights of P(hedge) on the hedge head's score and the tagger."},
    )
    claim_combiner = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        required=True,
        metadata={"description": "Weights of P(claim) on the claim head's score and its tagger."},
    )
    type_combiners = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Float()),
        required=True,
        metadata={
            "description": "Per hedge type, the weights of P(type) on its head and the tagger."
        },
    )
    libraries = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    datasets = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={"description": "Each training set: name, files with sha256, sizes."},
    )
    params = fields.Dict(keys=fields.String(), required=True)
    thresholds = fields.Nested(
        ThresholdsSchema,
        required=True,
        metadata={"description": "Probability at or above which a label is flagged."},
    )
    metrics = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "Precision, recall and F1 per evaluation set and label."},
    )
