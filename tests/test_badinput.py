"""Bad and hostile inputs: each answered with its status and the JSON error body, never a 500.

Covered elsewhere, not repeated here:
- malformed JSON, empty body, not UTF-8, UTF-16, a lone surrogate escape, nesting too
  deep, wrong media types: tests/test_errors.py;
- wrong types, unknown fields, blank text, text over the limit, bad batch envelopes:
  tests/test_api.py;
- a wrong and a missing key, a disallowed origin: tests/test_security.py;
- 20,000 one-word sentences, too many characters in a batch: tests/test_limits.py.
"""

from __future__ import annotations

import gzip
import io
import json

import pytest

ONE_MIB = 1024 * 1024


def _post_raw(
    client, body: bytes | str, path: str = "/v1/analyze", content_type: str = "application/json"
):
    return client.post(path, data=body, content_type=content_type)


# --------------------------------------------------------------------------- malformed JSON


@pytest.mark.parametrize(
    "raw",
    [
        '{"text": "a",}',
        "{'text': 'a'}",
        '{"text": "a"} trailing',
        '{"text": "a"}{"text": "b"}',
        '{"text": "tab\there"}',  # a raw control character inside a string
        '{"text": "nul\x00here"}',
        '{"text": "\\x41"}',
        "\ufeff" + '{"text": "a"}',  # a byte order mark is not JSON
    ],
)
def test_malformed_json_is_invalid_json(client, assert_error, raw):
    assert_error(_post_raw(client, raw.encode("utf-8")), 400, "invalid_json")


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/v1/analyze", '{"text": "a", "explain": %s}'),
        ("/v1/analyze/batch", '{"documents": [{"text": "a", "id": %s}, %s]}'),
    ],
)
def test_nan_and_infinity_are_invalid_json(client, assert_error, analyzer, word, path, template):
    # Python's json reads these words as floats; JSON has no such numbers. The batch case
    # was a 200 answering each document alone, to a body that is not JSON.
    body = template % ((word,) * template.count("%s"))
    error = assert_error(_post_raw(client, body, path), 400, "invalid_json", "value")
    assert error["details"] == {"value": word}
    assert analyzer.calls == []


def test_an_integer_too_long_to_read_is_invalid_json(client, assert_error):
    response = _post_raw(client, '{"text": "a", "explain": ' + "9" * 5_000 + "}")
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("path", ["/v1/analyze", "/v1/analyze/batch"])
def test_deep_nesting_inside_a_field_is_invalid_json(client, assert_error, path):
    nested = "[" * 100_000 + "]" * 100_000
    body = '{"text": "a", "id": ' + nested + "}"
    if path.endswith("batch"):
        body = '{"documents": [{"text": "a", "title": ' + nested + "}]}"
    assert_error(_post_raw(client, body, path), 400, "invalid_json")


def test_nesting_json_can_parse_is_a_validation_error_of_the_field(client, assert_error):
    body = '{"text": "a", "id": ' + "[" * 500 + "]" * 500 + "}"
    assert_error(_post_raw(client, body), 422, "validation_error", "id")


def test_500000_items_in_a_batch_are_refused_before_any_is_loaded(client, assert_error, analyzer):
    body = '{"documents": [' + ",".join(["1"] * 500_000) + "]}"
    assert len(body) < ONE_MIB
    error = assert_error(_post_raw(client, body, "/v1/analyze/batch"), 422, "validation_error")
    assert error["details"] == {"documents": ["Length must be between 1 and 100."]}
    assert analyzer.calls == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ["a", "b"]}, "text"),
        ({"text": {"text": "a"}}, "text"),
        ({"text": "a", "title": " \u3000 "}, "title"),
    ],
)
def test_wrong_types_and_values_name_the_field(client, assert_error, body, field):
    assert_error(client.post("/v1/analyze", json=body), 422, "validation_error", field)


def test_a_multipart_form_is_unsupported(client, assert_error):
    response = client.post(
        "/v1/analyze", data={"text": "An article."}, content_type="multipart/form-data"
    )
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type", ["application/javascript", "image/png", "application/octet-stream"]
)
def test_other_content_types_are_unsupported(client, assert_error, content_type):
    response = _post_raw(client, b'{"text": "a"}', content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("path", "content_type", "raw"),
    [
        ("/v1/analyze", "application/json", b'{"text": "A historic deal."}'),
        ("/v1/analyze", "text/plain", b"A historic deal."),
        ("/v1/analyze/batch", "application/json", b'{"documents": [{"text": "A deal."}]}'),
    ],
)
@pytest.mark.parametrize("coding", ["gzip", "deflate, gzip", "br"])
def test_a_compressed_body_is_unsupported_not_invalid_json(
    client, assert_error, analyzer, path, content_type, raw, coding
):
    # It was read as it came: 400 "not valid UTF-8", or a 422 of text for text/plain.
    body = gzip.compress(raw) if coding == "gzip" else raw
    response = client.post(
        path, data=body, content_type=content_type, headers={"Content-Encoding": coding}
    )
    error = assert_error(response, 415, "unsupported_media_type", "content_encoding")
    assert error["details"]["content_encoding"] == coding
    assert response.headers["Accept-Encoding"] == "identity"
    assert analyzer.calls == []


def test_content_encoding_identity_is_read_as_it_comes(client):
    response = client.post(
        "/v1/analyze", json={"text": "A historic deal."}, headers={"Content-Encoding": "identity"}
    )
    assert response.status_code == 200


# --------------------------------------------------------------------------- repeated names


@pytest.mark.parametrize(
    ("path", "body", "name"),
    [
        ("/v1/analyze", '{"text": "It may work.", "text": "A historic deal."}', "text"),
        ("/v1/analyze", '{"text": "a", "explain": true, "explain": false}', "explain"),
        (
            "/v1/analyze/batch",
            '{"documents": [{"text": "a"}, {"id": "x", "text": "b", "id": "y"}]}',
            "id",
        ),
    ],
)
def test_a_name_given_twice_in_one_object_is_invalid_json(client, assert_error, path, body, name):
    # Python's json keeps the last value: without the check, the first text would be
    # dropped without a word.
    error = assert_error(_post_raw(client, body, path), 400, "invalid_json", "name")
    assert error["details"] == {"name": name}


def test_the_same_name_in_two_objects_is_no_repeat(client):
    body = '{"documents": [{"id": "a", "text": "It may work."}, {"id": "b", "text": "It may."}]}'
    response = _post_raw(client, body, "/v1/analyze/batch")
    assert response.status_code == 200
    assert [r["id"] for r in response.get_json()["results"]] == ["a", "b"]


# --------------------------------------------------------------------------- surrogates


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/analyze", '{"text": "a", "title": "\\udc00"}'),
        ("/v1/analyze", '{"text": "a", "id": "\\ud83d"}'),
        ("/v1/analyze/batch", '{"documents": [{"text": "x\\ud800y"}]}'),
    ],
)
def test_a_lone_surrogate_escape_anywhere_is_invalid_json(client, assert_error, path, body):
    assert_error(_post_raw(client, body, path), 400, "invalid_json")


def test_a_surrogate_encoded_in_plain_text_is_a_validation_error_of_text(client, assert_error):
    response = _post_raw(client, b"a \xed\xa0\x80 b", content_type="text/plain")
    assert_error(response, 422, "validation_error", "text")


# --------------------------------------------------------------------------- size


def test_one_mib_of_one_word_is_payload_too_large(client, assert_error, analyzer):
    body = json.dumps({"text": "x" * ONE_MIB})
    assert_error(_post_raw(client, body), 413, "payload_too_large")
    assert_error(
        _post_raw(client, "x" * ONE_MIB + "y", content_type="text/plain"), 413, "payload_too_large"
    )
    assert analyzer.calls == []


def _post_chunked(client, body: bytes, content_type: str, path: str = "/v1/analyze"):
    """A body sent without Content-Length, as a server that reads chunked encoding hands it
    on (gunicorn sets wsgi.input_terminated)."""
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
def test_a_chunked_body_over_one_mib_is_payload_too_large_not_cut(
    client, assert_error, analyzer, content_type
):
    # werkzeug reads a body without a length only up to the limit and drops the rest: the
    # article was analysed cut short (text/plain), or misread as broken JSON.
    text = " " * (ONE_MIB - 30) + "It is a breakthrough. But it may fail."
    body = text if content_type == "text/plain" else json.dumps({"text": text})
    response = _post_chunked(client, body.encode(), content_type)
    assert_error(response, 413, "payload_too_large")
    assert analyzer.calls == []


def test_a_chunked_body_of_exactly_one_mib_is_read_whole(client, analyzer):
    text = " " * (ONE_MIB - 38) + "It is a breakthrough. But it may fail."
    assert len(text.encode()) == ONE_MIB
    response = _post_chunked(client, text.encode(), "text/plain")
    assert response.status_code == 200, response.get_json()
    [(docs, _)] = analyzer.calls
    assert docs[0][0] == text


def test_900_kb_of_one_word_is_text_too_long(client, assert_error, analyzer):
    response = client.post("/v1/analyze", json={"text": "x" * 900_000})
    error = assert_error(response, 422, "validation_error", "text")
    assert error["details"]["text"] == [
        "Longer than 100000 characters (not counting surrounding whitespace)."
    ]
    assert analyzer.calls == []


def test_100000_characters_of_one_word_are_analysed(real_client):
    text = "x" * 100_000
    response = real_client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200
    sentences = response.get_json()["sentences"]
    assert "".join(s["text"] for s in sentences) == text
    assert all(len(s["text"]) <= 5_000 for s in sentences)


# --------------------------------------------------------------------------- odd characters


ODD_TEXTS = {
    "nul": "Officials hailed\x00 tremendous progress.\x00 More work may be needed.",
    "zero-width": "Officials\u200b hailed a historic\u200d breakthrough.\ufeff It may\u200c fail.",
    "only zero-width": "\u200b\u200c\u200d\u2060",
    "bidi overrides": "\u202eOfficials hailed tremendous progress.\u202c \u2067It may fail.\u2069",
    "bidi marks": "\u200fالمسؤولون\u200e hailed a breakthrough. However, it may fail.",
    "combining": "Officials hailed a histo\u0301ric breakthrough. It may\u0308 fail.",
    "emoji": "Officials hailed tremendous progress 🎉👩🏽‍💻. It may fail 🤷.",
    "controls": "Officials\x01 hailed\x7f progress\x1b[31m. It may\x08 fail.",
}


@pytest.mark.parametrize("name", sorted(ODD_TEXTS))
def test_odd_characters_are_analysed_with_exact_offsets(real_client, name):
    text = ODD_TEXTS[name]
    response = real_client.post("/v1/analyze", json={"text": text, "title": text})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    for sentence in body["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
        for cue in sentence["cues"]:
            assert text[cue["start"] : cue["end"]] == cue["text"]
    title = body["title"]
    assert title is not None
    assert text[title["start"] : title["end"]] == title["text"]


def test_nul_bytes_in_a_plain_text_body_are_text(real_client):
    text = "Officials hailed\x00 tremendous progress."
    response = _post_raw(real_client, text.encode("utf-8"), content_type="text/plain")
    assert response.status_code == 200
    [sentence] = response.get_json()["sentences"]
    assert text[sentence["start"] : sentence["end"]] == sentence["text"]


def test_odd_characters_in_a_batch_are_analysed(real_client):
    documents = [{"id": name, "text": text} for name, text in sorted(ODD_TEXTS.items())]
    response = real_client.post("/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["id"] for r in results] == sorted(ODD_TEXTS)
    assert not any("error" in r for r in results)


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/analyze//batch"),
        ("POST", "/v1//analyze"),
        ("OPTIONS", "/v1/analyze//batch"),
        ("GET", "/v1//health"),
    ],
)
def test_a_doubled_slash_is_a_json_404_not_a_redirect(client, assert_error, analyzer, method, path):
    # werkzeug's default answers these with a 308 and an HTML body.
    response = client.open(path, method=method, json={"documents": [{"text": "a"}]})
    assert_error(response, 404, "not_found")
    assert "Location" not in response.headers
    assert analyzer.calls == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
def test_a_body_that_ends_before_its_content_length_is_refused_not_cut(
    client, assert_error, analyzer, content_type
):
    # Under gunicorn (wsgi.input_terminated) werkzeug reads to the end of the stream; a
    # connection closed early gave the bytes that came, analysed as if they were all.
    body = b'{"text": "A historic breakthrough."}'
    response = client.post(
        "/v1/analyze",
        input_stream=io.BytesIO(body),
        content_type=content_type,
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": "5000"},
    )
    error = assert_error(response, 400, "invalid_json")
    assert error["details"] == {"content_length": 5000, "received": len(body)}
    assert "Content-Length" in error["message"]
    assert analyzer.calls == []
