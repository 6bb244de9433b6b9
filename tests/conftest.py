"""Fixtures: an app around a stand-in analyzer for the HTTP layer, and the committed model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service import create_app
from service.analysis.types import (
    Analysis,
    Balance,
    Cue,
    HedgeScore,
    LabelScore,
    ModelInfo,
    SentenceResult,
)

PROJECT = Path(__file__).resolve().parents[1]
MODELS_DIR = PROJECT / "models"


class FakeModel:
    """A stand-in for CaveatModel: an info and a card shaped like a real manifest."""

    info = ModelInfo(name="caveat", version="0.0.0-test")
    card = {
        "name": "caveat",
        "version": "0.0.0-test",
        "trained_at": "2025-01-01T00:00:00+00:00",
        "git_commit": None,
        "artifact": {"file": "caveat-0.0.0-test.joblib", "sha256": "0" * 64},
        "segmenter": {"file": "segmenter.pickle", "sha256": "1" * 64},
        "tagger": {"file": "cue-tagger-0.0.0-test.joblib", "sha256": "2" * 64},
        "claim_tagger": {"file": "claim-tagger-0.0.0-test.joblib", "sha256": "3" * 64},
        "hedge_combiner": {"head": 1.0, "cue": 1.0, "bias": 0.0},
        "claim_combiner": {"head": 1.0, "cue": 1.0, "bias": 0.0},
        "type_combiners": {"uncertainty": {"head": 1.0, "cue": 1.0, "bias": 0.0}},
        "libraries": {"python": "3.11.7", "scikit-learn": "1.9.1"},
        "datasets": [{"name": "test", "files": [], "sentences": 3}],
        "params": {"C": [1.0, 1.0]},
        "thresholds": {"claim": 0.5, "hedge": 0.5},
        "metrics": {"news-test": {"claim": {"f1": 1.0}, "hedge": {"f1": 1.0}}},
    }


class FakeAnalyzer:
    """A test double for the HTTP layer: each article is one flagged claim sentence.

    It records every call, so tests can check what the views pass to the core.
    """

    def __init__(self) -> None:
        self.model = FakeModel()
        self.calls: list[tuple[list[tuple[str, str | None, str | None]], bool]] = []

    def analyze(
        self, text: str, title: str | None = None, doc_id: str | None = None, explain: bool = False
    ) -> Analysis:
        """Analyse one article."""
        return self.analyze_many([(text, title, doc_id)], explain=explain)[0]

    def analyze_many(
        self, docs: list[tuple[str, str | None, str | None]], explain: bool = False
    ) -> list[Analysis]:
        """Analyse several articles."""
        self.calls.append((list(docs), explain))
        return [self._analysis(text, title, doc_id, explain) for text, title, doc_id in docs]

    def _analysis(
        self, text: str, title: str | None, doc_id: str | None, explain: bool
    ) -> Analysis:
        start = len(text) - len(text.lstrip())
        sentence = self._sentence(0, start, text.strip(), 0, explain)
        return Analysis(
            id=doc_id,
            model=self.model.info,
            balance=Balance(
                score=0.0,
                label="one-sided",
                claims=1,
                hedges=0,
                qualified_claims=0,
                summary="The article makes one claim and qualifies none.",
            ),
            sentences=[sentence],
            links=[],
            title=None if title is None else self._sentence(-1, 0, title, -1, explain),
        )

    @staticmethod
    def _sentence(index: int, start: int, text: str, paragraph: int, explain: bool):
        cue_end = start + min(len(text), 5)
        return SentenceResult(
            index=index,
            start=start,
            end=start + len(text),
            text=text,
            claim=LabelScore(probability=0.9, flagged=True),
            hedge=HedgeScore(probability=0.1, flagged=False, types=[]),
            cues=[Cue("claim", None, start, cue_end, text[: cue_end - start])],
            paragraph=paragraph,
            features=(
                {"claim": [{"feature": "cue=claim", "weight": 1.5}], "hedge": []}
                if explain
                else None
            ),
        )


@pytest.fixture
def analyzer() -> FakeAnalyzer:
    """The stand-in analyzer the `app` fixture serves."""
    return FakeAnalyzer()


@pytest.fixture
def app(analyzer: FakeAnalyzer) -> Flask:
    """An app around the stand-in analyzer (no model is loaded)."""
    return create_app({"TESTING": True, "ANALYZER": analyzer})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture(scope="session")
def real_app() -> Flask:
    """The app as `make run` builds it, with the committed model under models/ (committed,
    so never skipped: a missing model is a failure)."""
    return create_app({"TESTING": True})


@pytest.fixture
def real_client(real_app: Flask) -> FlaskClient:
    """A test client of `real_app`."""
    return real_app.test_client()


@pytest.fixture
def assert_error() -> Callable[..., dict[str, Any]]:
    """Check an error response: its status, the one error body, its code and the fields named."""

    def check(response: TestResponse, status: int, code: str, *fields: str) -> dict[str, Any]:
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"error"}
        error = body["error"]
        assert set(error) == {"code", "message", "details"}
        assert error["code"] == code
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error["details"], dict)
        for field in fields:
            assert field in error["details"], error["details"]
        return error

    return check
