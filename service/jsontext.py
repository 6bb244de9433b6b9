"""Strict reading of JSON text, shared by the API's bodies and the batch CLI's lines.

``json.loads`` alone lets through, or fails on with the wrong exception, inputs that a
client must hear about as invalid JSON: bytes that are not UTF-8 (``json.loads(bytes)``
would also take UTF-16 and UTF-32), an escaped lone surrogate ("\\ud800", which parses but
is no Unicode text and cannot be written back as UTF-8), nesting deep enough to exhaust the
stack (RecursionError), an integer of more than 4,300 digits (Python refuses to convert it,
CVE-2020-10735: a ValueError that is not a JSONDecodeError), and an object that gives one
name twice (RFC 8259 leaves the meaning to the reader; Python keeps the last, so a second
"text" would silently replace the first), and the words NaN, Infinity and -Infinity, which
Python reads as numbers but JSON does not have. Each raises ``InvalidJSON`` here, with a message
for people and details for programs.
"""

from __future__ import annotations

import json
from typing import Any

#: How much of a repeated name an error quotes back.
NAME_CHARS = 100


class InvalidJSON(ValueError):
    """The text is not JSON we read: ``message`` says why (of ``what``: "body", "line")."""

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class _NotJSONNumber(Exception):
    def __init__(self, word: str):
        self.word = word


def _no_constant(word: str) -> Any:
    raise _NotJSONNumber(word)


class _RepeatedName(Exception):
    def __init__(self, name: str):
        self.name = name


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _RepeatedName(name)
            seen.add(name)
    return obj


def parse_json(raw: bytes, what: str = "body") -> Any:
    """The value of UTF-8 JSON text ``raw``; ``InvalidJSON`` when it is not one we read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidJSON(f"The {what} is not valid UTF-8.", {"byte": exc.start}) from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_names, parse_constant=_no_constant)
        # Only a \u escape makes a surrogate (UTF-8 cannot carry one), so a text without
        # any is not written out again.
        if "\\u" in text:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except _RepeatedName as exc:
        name = exc.name[:NAME_CHARS]
        raise InvalidJSON(
            f"The {what} gives the name {name!r} twice in one object; send each once.",
            {"name": name},
        ) from None
    except _NotJSONNumber as exc:
        raise InvalidJSON(
            f"The {what} holds {exc.word}, which is not a JSON number.", {"value": exc.word}
        ) from None
    except UnicodeEncodeError:
        raise InvalidJSON(
            f"The {what} holds a lone surrogate escape, which is not text."
        ) from None
    except RecursionError:
        raise InvalidJSON(f"The {what} is nested too deeply.") from None
    except json.JSONDecodeError as exc:
        raise InvalidJSON(
            f"The {what} is not valid JSON.", {"line": exc.lineno, "column": exc.colno}
        ) from None
    except ValueError:
        # Well-formed JSON, but no field of ours takes a number that size.
        raise InvalidJSON(f"The {what} holds a number too long to read.") from None
