"""The /v1 endpoints: what they accept, what they pass to the core, what they answer."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service import create_app
from service.analysis.model import MODELS_DIR
from service.schemas import (
    AnalysisSchema,
    BatchResponseSchema,
    HealthSchema,
    ModelCardSchema,
)

PROJECT = Path(__file__).resolve().parents[1]
ARTICLE = "Officials hailed tremendous progress. More work is needed."


# --------------------------------------------------------------------------- POST /v1/analyze


def test_analyze_answers_an_analysis_that_matches_the_schema(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE})
    assert response.status_code == 200
    body = response.get_json()
    assert AnalysisSchema().validate(body) == {}
    assert body["model"] == {"name": "caveat", "version": "0.0.0-test"}


def test_analyze_passes_text_title_id_and_explain_to_the_analyzer(client, analyzer):
    client.post(
        "/v1/analyze", json={"text": ARTICLE, "title": "A title", "id": "doc-1", "explain": True}
    )
    assert analyzer.calls == [([(ARTICLE, "A title", "doc-1")], True)]


def test_analyze_echoes_the_id(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE, "id": "draft-42"})
    assert response.status_code == 200
    assert response.get_json()["id"] == "draft-42"


def test_analyze_without_id_answers_id_null(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE})
    assert response.get_json()["id"] is None


def test_analyze_without_title_answers_title_null(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE})
    assert response.get_json()["title"] is None


def test_analyze_with_title_answers_its_analysis(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE, "title": "Talks succeed"})
    title = response.get_json()["title"]
    assert title["text"] == "Talks succeed"
    assert title["index"] == -1


def test_analyze_accepts_null_title_and_id_as_absent(client, analyzer):
    response = client.post("/v1/analyze", json={"text": ARTICLE, "title": None, "id": None})
    assert response.status_code == 200
    assert analyzer.calls == [([(ARTICLE, None, None)], False)]


def test_analyze_keeps_the_text_exactly_as_sent(client, analyzer):
    text = "\n  Offsets index this text as sent.  \n"
    response = client.post("/v1/analyze", json={"text": text})
    assert analyzer.calls[0][0][0][0] == text
    sentence = response.get_json()["sentences"][0]
    assert text[sentence["start"] : sentence["end"]] == sentence["text"]


def test_explain_adds_the_features(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE, "explain": True})
    sentence = response.get_json()["sentences"][0]
    assert sentence["features"]["claim"] == [{"feature": "cue=claim", "weight": 1.5}]


def test_without_explain_there_are_no_features(client):
    response = client.post("/v1/analyze", json={"text": ARTICLE})
    assert "features" not in response.get_json()["sentences"][0]


def test_analyze_keeps_non_ascii_text_as_utf8(client):
    text = "Die Gespräche waren ein „historischer Durchbruch“ 🎉."
    response = client.post("/v1/analyze", json={"text": text})
    assert response.get_json()["sentences"][0]["text"] == text
    assert "„historischer".encode() in response.data


def test_analyze_accepts_text_at_the_limit_with_surrounding_whitespace(client):
    response = client.post("/v1/analyze", json={"text": "  " + "a" * 100_000 + "\n"})
    assert response.status_code == 200


def test_plain_text_body_is_the_article(client, analyzer):
    response = client.post("/v1/analyze", data=ARTICLE.encode(), content_type="text/plain")
    assert response.status_code == 200
    assert AnalysisSchema().validate(response.get_json()) == {}
    assert analyzer.calls == [([(ARTICLE, None, None)], False)]


def test_plain_text_with_utf8_charset_is_accepted(client, analyzer):
    text = "Un « progrès considérable », dit-il."
    response = client.post(
        "/v1/analyze", data=text.encode(), content_type="text/plain; charset=UTF-8"
    )
    assert response.status_code == 200
    assert analyzer.calls[0][0][0][0] == text


def test_plain_text_in_another_charset_is_unsupported(client, assert_error):
    response = client.post(
        "/v1/analyze",
        data="progrès".encode("latin-1"),
        content_type="text/plain; charset=latin-1",
    )
    assert_error(response, 415, "unsupported_media_type", "charset")


@pytest.mark.parametrize("path", ["/v1/analyze", "/v1/analyze/batch"])
def test_json_in_another_charset_is_unsupported_and_utf8_with_a_charset_is_read(
    client, assert_error, analyzer, path
):
    # It was answered 400 "not valid UTF-8", where text/plain in latin-1 is told to send UTF-8.
    doc = {"text": "Un progrès considérable."}
    body = doc if path == "/v1/analyze" else {"documents": [doc]}
    latin = client.post(
        path,
        data=json.dumps(body, ensure_ascii=False).encode("latin-1"),
        content_type="application/json; charset=ISO-8859-1",
    )
    error = assert_error(latin, 415, "unsupported_media_type", "charset")
    assert error["details"] == {"charset": "iso-8859-1"}
    assert "JSON in UTF-8" in error["message"]
    assert analyzer.calls == []
    utf8 = client.post(
        path,
        data=json.dumps(body, ensure_ascii=False).encode(),
        content_type="application/json; charset=utf-8",
    )
    assert utf8.status_code == 200, utf8.get_json()


def test_a_json_body_after_a_byte_order_mark_is_told_what_is_wrong(client, assert_error):
    # It was answered "not valid JSON" at line 1 column 1, which does not say what to mend.
    body = codecs.BOM_UTF8 + json.dumps({"text": "It may rain."}).encode()
    response = client.post("/v1/analyze", data=body, content_type="application/json")
    error = assert_error(response, 400, "invalid_json")
    assert "byte order mark" in error["message"]


def test_plain_text_that_is_not_utf8_is_a_validation_error_of_text(client, assert_error):
    response = client.post("/v1/analyze", data=b"caf\xe9 \xff", content_type="text/plain")
    assert_error(response, 422, "validation_error", "text")


def test_plain_text_of_only_whitespace_is_rejected(client, assert_error):
    response = client.post("/v1/analyze", data=b" \n\t ", content_type="text/plain")
    assert_error(response, 422, "validation_error", "text")


def test_batch_does_not_accept_plain_text(client, assert_error):
    response = client.post("/v1/analyze/batch", data=b"an article", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"title": "only a title"}, "text"),
        ({"text": ""}, "text"),
        ({"text": " \n\t\u00a0 "}, "text"),
        ({"text": None}, "text"),
        ({"text": 5}, "text"),
        ({"text": ["a list"]}, "text"),
        ({"text": {"an": "object"}}, "text"),
        ({"text": "a" * 100_001}, "text"),
        ({"text": ARTICLE, "explain": "yes"}, "explain"),
        ({"text": ARTICLE, "explain": "true"}, "explain"),
        ({"text": ARTICLE, "explain": 1}, "explain"),
        ({"text": ARTICLE, "explain": 0}, "explain"),
        ({"text": ARTICLE, "explain": None}, "explain"),
        ({"text": ARTICLE, "title": 5}, "title"),
        ({"text": ARTICLE, "title": "   "}, "title"),
        ({"text": ARTICLE, "title": "t" * 1001}, "title"),
        ({"text": ARTICLE, "id": 5}, "id"),
        ({"text": ARTICLE, "id": "i" * 201}, "id"),
        ({"text": ARTICLE, "lang": "en"}, "lang"),
        ({"text": ARTICLE, "Text": ARTICLE}, "Text"),
    ],
    ids=lambda v: repr(v)[:40] if isinstance(v, dict) else v,
)
def test_analyze_rejects_a_body_that_breaks_the_schema_naming_the_field(
    client, assert_error, analyzer, body, field
):
    response = client.post("/v1/analyze", json=body)
    assert_error(response, 422, "validation_error", field)
    assert analyzer.calls == []


@pytest.mark.parametrize("raw", ["[]", '["text"]', '"an article"', "null", "5", "true"])
def test_analyze_rejects_a_json_body_that_is_not_an_object(client, assert_error, raw):
    response = client.post("/v1/analyze", data=raw, content_type="application/json")
    error = assert_error(response, 422, "validation_error", "_schema")
    assert error["details"]["_schema"] == ["Invalid input type."]


def test_analyze_names_every_bad_field_at_once(client, assert_error):
    response = client.post("/v1/analyze", json={"text": 5, "explain": "yes", "extra": 1})
    error = assert_error(response, 422, "validation_error", "text", "explain", "extra")
    assert set(error["details"]) == {"text", "explain", "extra"}


def test_configured_text_limit_is_enforced(analyzer):
    app = create_app({"TESTING": True, "ANALYZER": analyzer, "MAX_TEXT_CHARS": 10})
    response = app.test_client().post("/v1/analyze", json={"text": "a" * 11})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["text"] == [
        "Longer than 10 characters (not counting surrounding whitespace)."
    ]


# --------------------------------------------------------------------------- POST /v1/analyze/batch


def _documents(n: int) -> list[dict]:
    return [{"id": f"d{i}", "text": f"Article number {i}."} for i in range(n)]


def test_batch_answers_one_analysis_a_document_in_order(client):
    response = client.post("/v1/analyze/batch", json={"documents": _documents(3)})
    assert response.status_code == 200
    body = response.get_json()
    assert BatchResponseSchema().validate(body) == {}
    assert [r["id"] for r in body["results"]] == ["d0", "d1", "d2"]


def test_batch_analyses_all_documents_in_one_call(client, analyzer):
    client.post("/v1/analyze/batch", json={"documents": _documents(3)})
    assert len(analyzer.calls) == 1
    assert [doc_id for _, _, doc_id in analyzer.calls[0][0]] == ["d0", "d1", "d2"]


def test_batch_passes_explain_to_the_analyzer(client, analyzer):
    client.post("/v1/analyze/batch", json={"documents": _documents(1), "explain": True})
    assert analyzer.calls[0][1] is True


def test_batch_with_an_empty_document_answers_an_error_for_that_one_alone(client, analyzer):
    documents = _documents(3)
    documents[1]["text"] = ""
    response = client.post("/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[1] == {
        "id": "d1",
        "error": {
            "code": "validation_error",
            "message": results[1]["error"]["message"],
            "details": {"text": ["Must not be empty or only whitespace."]},
        },
    }
    assert [r["sentences"][0]["text"] for r in (results[0], results[2])] == [
        "Article number 0.",
        "Article number 2.",
    ]
    assert [doc_id for _, _, doc_id in analyzer.calls[0][0]] == ["d0", "d2"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("an article", "_schema"),
        (None, "_schema"),
        ({"id": "x"}, "text"),
        ({"id": "x", "text": 5}, "text"),
        ({"id": "x", "text": "ok", "explain": True}, "explain"),
        ({"id": "x", "text": "ok", "colour": "red"}, "colour"),
    ],
)
def test_batch_answers_a_bad_document_with_its_own_error(client, document, field):
    response = client.post("/v1/analyze/batch", json={"documents": [document, *_documents(1)]})
    assert response.status_code == 200
    bad, good = response.get_json()["results"]
    assert bad["error"]["code"] == "validation_error"
    assert field in bad["error"]["details"]
    assert good["id"] == "d0" and "sentences" in good


def test_batch_error_echoes_an_id_only_when_it_is_a_valid_one(client):
    response = client.post("/v1/analyze/batch", json={"documents": [{"id": 7, "text": ""}]})
    [result] = response.get_json()["results"]
    assert result["id"] is None
    assert set(result["error"]["details"]) == {"id", "text"}


def test_batch_of_only_bad_documents_answers_only_errors(client, analyzer):
    response = client.post("/v1/analyze/batch", json={"documents": [{"text": " "}, {}]})
    assert response.status_code == 200
    assert [set(r) for r in response.get_json()["results"]] == [{"id", "error"}] * 2
    assert analyzer.calls == []


def test_batch_accepts_100_documents(client):
    response = client.post("/v1/analyze/batch", json={"documents": _documents(100)})
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 100


def test_batch_of_101_documents_is_rejected(client, assert_error, analyzer):
    response = client.post("/v1/analyze/batch", json={"documents": _documents(101)})
    assert_error(response, 422, "validation_error", "documents")
    assert analyzer.calls == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"documents": []}, "documents"),
        ({}, "documents"),
        ({"documents": None}, "documents"),
        ({"documents": {"text": "not a list"}}, "documents"),
        ({"documents": "an article"}, "documents"),
        ({"documents": _documents(1), "explain": "yes"}, "explain"),
        ({"documents": _documents(1), "priority": 1}, "priority"),
        ([{"text": "a list, not an envelope"}], "_schema"),
        ("an article", "_schema"),
        (None, "_schema"),
    ],
)
def test_batch_rejects_a_malformed_envelope_as_a_whole(client, assert_error, body, field):
    response = client.post(
        "/v1/analyze/batch", data=json.dumps(body), content_type="application/json"
    )
    assert_error(response, 422, "validation_error", field)


def test_configured_batch_limit_is_enforced(analyzer, assert_error):
    app = create_app({"TESTING": True, "ANALYZER": analyzer, "MAX_BATCH_DOCUMENTS": 2})
    response = app.test_client().post("/v1/analyze/batch", json={"documents": _documents(3)})
    assert_error(response, 422, "validation_error", "documents")


# --------------------------------------------------------------------------- health and model


def test_health_answers_ok_and_the_model(client):
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "model": {"name": "caveat", "version": "0.0.0-test"},
    }


def test_model_answers_the_model_card(client):
    response = client.get("/v1/model")
    assert response.status_code == 200
    body = response.get_json()
    assert ModelCardSchema().validate(body) == {}
    assert body["thresholds"] == {"claim": 0.5, "hedge": 0.5}
    assert body["libraries"]["scikit-learn"] == "1.9.1"


def test_the_model_card_holds_every_hash_and_weight_of_the_manifest(real_client):
    # The card is what a user checks the served model against: every artifact's hash, and
    # every combiner's weights (the claim tagger's and the type combiners' were left out).
    manifest = json.loads(next(MODELS_DIR.glob("caveat-*.json")).read_text(encoding="utf-8"))
    card = real_client.get("/v1/model").get_json()
    for key in ("artifact", "segmenter", "tagger", "claim_tagger"):
        assert card[key] == manifest[key]
        assert len(card[key]["sha256"]) == 64
    for key in ("hedge_combiner", "claim_combiner", "type_combiners"):
        assert card[key] == manifest[key]
    assert set(card["type_combiners"]) == {
        "uncertainty",
        "limitation",
        "condition",
        "contrast",
        "attribution",
    }


# --------------------------------------------------------------------------- start-up


@pytest.fixture
def degraded_client(tmp_path):
    """A client of an app whose models folder holds no manifest at all."""
    return create_app({"TESTING": True, "MODELS_DIR": tmp_path}).test_client()


def test_without_a_manifest_health_answers_503_unavailable(degraded_client):
    response = degraded_client.get("/v1/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "model": None}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/v1/analyze", {"text": ARTICLE}),
        ("post", "/v1/analyze/batch", {"documents": [{"text": ARTICLE}]}),
        ("get", "/v1/model", None),
    ],
)
def test_without_a_manifest_the_model_endpoints_answer_model_unavailable(
    degraded_client, assert_error, method, path, body
):
    response = getattr(degraded_client, method)(path, json=body)
    assert_error(response, 503, "model_unavailable")


def test_without_a_manifest_the_start_is_logged(tmp_path, caplog):
    create_app({"TESTING": True, "MODELS_DIR": tmp_path})
    [record] = [r for r in caplog.records if r.name == "caveat.model"]
    assert record.levelname == "WARNING"
    assert "no model manifest" in record.getMessage()
    assert record.models_dir == str(tmp_path)


def test_a_model_error_stops_the_start(tmp_path, monkeypatch):
    from service.analysis import model

    def tampered(models_dir, version=None):
        raise model.ModelError("sha256 mismatch")

    monkeypatch.setattr(model, "load_model", tampered)
    with pytest.raises(model.ModelError, match="sha256 mismatch"):
        create_app({"TESTING": True, "MODELS_DIR": tmp_path})


def test_a_pinned_version_that_is_missing_stops_the_start(tmp_path):
    with pytest.raises(FileNotFoundError):
        create_app({"TESTING": True, "MODELS_DIR": tmp_path, "MODEL_VERSION": "9.9.9"})


def test_importing_the_package_loads_and_configures_nothing():
    code = (
        "import logging, sys; import service; "
        "assert 'sklearn' not in sys.modules, 'scikit-learn imported'; "
        "assert 'service.analysis.model' not in sys.modules, 'model module imported'; "
        "assert not logging.getLogger('caveat').handlers, 'logging configured'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_config_comes_from_caveat_environment_variables(monkeypatch, analyzer):
    monkeypatch.setenv("CAVEAT_MAX_TEXT_CHARS", "20")
    app = create_app({"TESTING": True, "ANALYZER": analyzer})
    assert app.config["MAX_TEXT_CHARS"] == 20


def test_config_overrides_win_over_the_environment(monkeypatch, analyzer):
    monkeypatch.setenv("CAVEAT_MAX_TEXT_CHARS", "20")
    app = create_app({"TESTING": True, "ANALYZER": analyzer, "MAX_TEXT_CHARS": 30})
    assert app.config["MAX_TEXT_CHARS"] == 30


# --------------------------------------------------------------------------- the page


def test_page_has_the_form(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<textarea id="text"' in html
    assert '<input id="title"' in html
    assert ">Analyze</button>" in html


def test_page_loads_nothing_from_other_origins(client):
    response = client.get("/")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "http" not in response.get_data(as_text=True)


# --------------------------------------------------------------------------- the real model


def test_real_analysis_matches_the_response_schema(real_client):
    response = real_client.post(
        "/v1/analyze", json={"text": ARTICLE, "title": "Talks hailed", "id": "r1", "explain": True}
    )
    assert response.status_code == 200
    assert AnalysisSchema().validate(response.get_json()) == {}


def test_real_analysis_offsets_slice_the_text_as_sent(real_client):
    text = "  Leaders hailed a historic breakthrough.\n\nHowever, details may change.  "
    body = real_client.post("/v1/analyze", json={"text": text}).get_json()
    assert len(body["sentences"]) == 2
    assert all(s["cues"] for s in body["sentences"])  # "historic breakthrough"; "However", "may"
    for sentence in body["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
        for cue in sentence["cues"]:
            assert text[cue["start"] : cue["end"]] == cue["text"]


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=400))
def test_real_analysis_of_any_text_is_an_analysis_or_a_422(real_app, text):
    response = real_app.test_client().post("/v1/analyze", json={"text": text})
    if not text.strip() or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert response.status_code in (400, 422)
        return
    assert response.status_code == 200
    body = response.get_json()
    assert AnalysisSchema().validate(body) == {}
    for sentence in body["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]


def test_real_batch_matches_the_response_schema(real_client):
    documents = [{"id": "a", "text": ARTICLE}, {"id": "b", "text": " "}, {"text": "It may rain."}]
    response = real_client.post("/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200
    body = response.get_json()
    assert BatchResponseSchema().validate(body) == {}
    assert [("error" in r) for r in body["results"]] == [False, True, False]


def test_real_health_matches_the_response_schema(real_client):
    response = real_client.get("/v1/health")
    assert response.status_code == 200
    assert HealthSchema().validate(response.get_json()) == {}
    assert response.get_json()["model"]["name"] == "caveat"


def test_real_model_card_matches_the_response_schema(real_client):
    response = real_client.get("/v1/model")
    assert response.status_code == 200
    body = response.get_json()
    assert ModelCardSchema().validate(body) == {}
    assert set(body["thresholds"]) == {"claim", "hedge", "types"}
    assert set(body["thresholds"]["types"]) == {
        "uncertainty",
        "limitation",
        "condition",
        "contrast",
        "attribution",
    }


def test_a_title_is_stripped_as_a_sentence_and_its_offsets_still_index_it(real_client):
    title = "  \tA historic breakthrough, officials say \n"
    body = real_client.post(
        "/v1/analyze", json={"text": "The talks may still fail.", "title": title}
    ).get_json()
    sentence = body["title"]
    assert sentence["text"] == "A historic breakthrough, officials say"
    assert title[sentence["start"] : sentence["end"]] == sentence["text"]
    for cue in sentence["cues"]:
        assert title[cue["start"] : cue["end"]] == cue["text"]
    plain = real_client.post(
        "/v1/analyze", json={"text": "The talks may still fail.", "title": title.strip()}
    ).get_json()["title"]
    assert sentence["claim"] == plain["claim"] and sentence["hedge"] == plain["hedge"]
