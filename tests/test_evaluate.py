"""python -m training.evaluate --data: the shipped model scored on a labeled file of one's own."""

import json

import pytest

from training.evaluate import main as evaluate_main

#: Our own sentences, labeled by LABELING.md.
ROWS = [
    {"text": "Officials hailed a historic breakthrough in the talks.", "claim": 1, "hedge": 0},
    {
        "text": "The agreement may still collapse if parliament rejects it.",
        "claim": 0,
        "hedge": 1,
        "types": ["uncertainty", "condition"],
    },
    {
        "text": "Sources said the company is preparing a bid.",
        "claim": 0,
        "hedge": 1,
        "types": ["attribution"],
    },
    {"text": "The council met on Tuesday.", "claim": 0, "hedge": 0, "types": []},
]


def _run(tmp_path, capsys, lines: list[str], fmt: str = "jsonl", name: str = "data.jsonl"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    code = evaluate_main(["--data", str(path), "--format", fmt])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_labeled_jsonl_file_is_scored_per_label_with_its_hedge_types(tmp_path, capsys):
    code, out, err = _run(tmp_path, capsys, [json.dumps(r) for r in ROWS])
    assert code == 0 and not err
    result = json.loads(out)
    assert result["n"] == 4
    assert result["claim"]["support"] == 1 and result["hedge"]["support"] == 2
    assert result["claim"]["n"] == result["hedge"]["n"] == 4
    for label in ("claim", "hedge"):
        assert 0.0 <= result[label]["f1"] <= 1.0 and 0.0 <= result[label]["ece"] <= 1.0
    # These plain cases are the guidelines' own: the shipped model gets them all.
    assert result["claim"]["f1"] == 1.0 and result["hedge"]["f1"] == 1.0
    types = result["hedge_types"]
    assert types["correctly_flagged"] == 2
    assert types["primary_type_right"] == 1.0


def test_a_file_without_types_or_without_a_label_scores_only_what_it_has(tmp_path, capsys):
    rows = [{"text": r["text"], "hedge": r["hedge"]} for r in ROWS]
    code, out, _ = _run(tmp_path, capsys, [json.dumps(r) for r in rows])
    result = json.loads(out)
    assert code == 0 and "hedge" in result
    assert "claim" not in result and "hedge_types" not in result


def test_the_szeged_xml_format_scores_hedges(tmp_path, capsys):
    xml = (
        "<Document><DocumentPart>"
        "<Sentence>The drug <cue>may</cue> reduce pain.</Sentence>"
        "<Sentence>The drug was given to 40 patients.</Sentence>"
        "</DocumentPart></Document>"
    )
    code, out, _ = _run(tmp_path, capsys, [xml], fmt="conll2010", name="data.xml")
    result = json.loads(out)
    assert code == 0 and result["n"] == 2 and result["hedge"]["support"] == 1
    assert "claim" not in result


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", ":2: not JSON"),
        ('["a list"]', ":2: no text"),
        ('{"text": "It may rain.", "hedge": 2}', ":2: hedge must be 0 or 1"),
        ('{"text": "It may rain.", "hedge": 1, "types": ["doubt"]}', ":2: types must be"),
        ('{"text": "It may rain.", "hedge": 1, "types": []}', ":2: a hedge needs its types"),
        ('{"text": "It may rain.", "types": ["uncertainty"]}', ":2: a hedge needs its types"),
    ],
)
def test_a_bad_line_is_a_one_line_json_error_naming_it(tmp_path, capsys, line, message):
    code, out, err = _run(tmp_path, capsys, [json.dumps(ROWS[0]), line])
    assert code == 1 and not out
    assert message in json.loads(err)["error"]


def test_a_missing_file_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        evaluate_main(["--data", str(tmp_path / "nothing.jsonl"), "--format", "jsonl"])
    assert stop.value.code == 2
    assert "nothing.jsonl does not exist" in capsys.readouterr().err


def test_an_unreadable_file_is_a_one_line_error_naming_it(tmp_path, capsys):
    code, _, err = _run(tmp_path, capsys, ["<Document><Sentence>"], fmt="conll2010", name="x.xml")
    error = json.loads(err)["error"]
    assert code == 1 and "x.xml: not XML" in error and "--format conll2010 reads" in error
    # JSON Lines given as XML: the same, and the hint says what the format reads.
    code, _, err = _run(tmp_path, capsys, [json.dumps(ROWS[0])], fmt="conll2010")
    assert code == 1 and "data.jsonl: not XML" in json.loads(err)["error"]
    code, _, err = _run(tmp_path, capsys, ["", "   "])
    assert code == 1 and json.loads(err)["error"].endswith("data.jsonl: no sentences in the data")


def test_a_byte_that_is_not_utf8_names_its_line(tmp_path, capsys):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(
        (json.dumps(ROWS[0]) + "\n").encode() + b'{"text": "Caf\xe9 talks may fail.", "hedge": 1}\n'
    )
    code = evaluate_main(["--data", str(path), "--format", "jsonl"])
    error = json.loads(capsys.readouterr().err)["error"]
    assert code == 1 and error == f"{path}:2: not UTF-8 (byte 13 of the line)"


def test_a_blank_text_is_an_error_naming_its_line(tmp_path, capsys):
    line = json.dumps({"text": "  ", "claim": 0})
    code, _, err = _run(tmp_path, capsys, [json.dumps(ROWS[0]), line])
    assert code == 1 and json.loads(err)["error"].endswith("data.jsonl:2: the text is blank")


def test_a_byte_order_mark_is_read_as_one(tmp_path, capsys):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\n" for r in ROWS).encode())
    assert evaluate_main(["--data", str(path), "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 4


def test_a_file_without_any_label_is_an_error_not_an_empty_score(tmp_path, capsys):
    lines = [json.dumps({"text": r["text"], "Claim": r["claim"]}) for r in ROWS]  # misspelt
    code, out, err = _run(tmp_path, capsys, lines)
    assert code == 1 and not out
    assert "no sentence has a claim or hedge label" in json.loads(err)["error"]


def test_a_label_some_sentences_lack_is_scored_on_the_others_and_said(tmp_path, capsys):
    rows = [dict(r) for r in ROWS]
    del rows[0]["claim"], rows[1]["claim"]
    code, out, err = _run(tmp_path, capsys, [json.dumps(r) for r in rows])
    assert code == 0 and json.loads(out)["claim"]["n"] == 2
    assert "claim is scored on the 2 of 4 sentences that carry it" in err


def test_a_label_with_no_positive_has_no_recall_or_f1(tmp_path, capsys):
    rows = [{"text": "The council met on Tuesday.", "claim": 0, "hedge": 0}] * 2
    code, out, _ = _run(tmp_path, capsys, [json.dumps(r) for r in rows])
    result = json.loads(out)
    assert code == 0
    for label in ("claim", "hedge"):
        # The model flags neither sentence: nothing to count for any of the three.
        assert result[label]["support"] == 0
        assert result[label]["precision"] is result[label]["recall"] is result[label]["f1"] is None


@pytest.mark.parametrize(
    ("xml", "hedges", "support"),
    [
        (  # the CoNLL-2010 DTD: lower-case sentence elements and their certainty
            '<Document><sentence id="S1" certainty="uncertain">It <ccue>may</ccue> rain.</sentence>'
            '<sentence id="S2" certainty="certain">The bridge opened in 1932.</sentence>'
            '<sentence id="S3" certainty="uncertain">Analysts believe rates will rise.</sentence>'
            "</Document>",
            3,
            2,
        ),
        (  # BioScope's negation cues are no hedge
            '<Document><Sentence>The bridge was <cue type="negation">not</cue> built.</Sentence>'
            '<Sentence>It <cue type="speculation">may</cue> rain.</Sentence></Document>',
            2,
            1,
        ),
    ],
    ids=["certainty", "negation"],
)
def test_the_xml_reads_certainty_and_skips_negation_cues(tmp_path, capsys, xml, hedges, support):
    code, out, _ = _run(tmp_path, capsys, [xml], fmt="conll2010", name="data.xml")
    result = json.loads(out)
    assert code == 0 and result["n"] == hedges and result["hedge"]["support"] == support


def test_empty_xml_sentences_are_skipped_and_counted(tmp_path, capsys):
    xml = (
        "<Document><Sentence>It <cue>may</cue> rain.</Sentence><Sentence/>"
        "<Sentence>   </Sentence><Sentence>The bridge opened.</Sentence></Document>"
    )
    code, out, err = _run(tmp_path, capsys, [xml], fmt="conll2010", name="data.xml")
    assert code == 0 and json.loads(out)["n"] == 2
    assert "data.xml: 2 empty sentences skipped" in err
