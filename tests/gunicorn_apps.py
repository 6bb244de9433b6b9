"""WSGI apps for tests that run gunicorn with the shipped gunicorn.conf.py."""

from __future__ import annotations

import time

from service import create_app
from tests.conftest import FakeAnalyzer


class SlowAnalyzer(FakeAnalyzer):
    """The stand-in analyzer, which takes far longer than any worker timeout of a test."""

    def analyze_many(self, docs, explain=False):
        """Sleep, then analyse."""
        time.sleep(60)
        return super().analyze_many(docs, explain=explain)


def slow_app():
    """An app (as in production: errors answered, not raised) whose analyses never finish."""
    return create_app({"ANALYZER": SlowAnalyzer(), "RATELIMIT_ENABLED": False})


def fake_app():
    """An app (as in production: errors answered, not raised) with the stand-in analyzer."""
    return create_app({"ANALYZER": FakeAnalyzer(), "RATELIMIT_ENABLED": False})
