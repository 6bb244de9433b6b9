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
    assert code == 2 and not out
    assert message in json.loads(err)["error"]


def test_a_missing_or_unreadable_file_is_an_error_not_a_traceback(tmp_path, capsys):
    code = evaluate_main(["--data", str(tmp_path / "nothing.jsonl"), "--format", "jsonl"])
    assert code == 2 and "nothing.jsonl" in json.loads(capsys.readouterr().err)["error"]
    code, _, err = _run(tmp_path, capsys, ["<Document><Sentence>"], fmt="conll2010", name="x.xml")
    assert code == 2 and json.loads(err)["error"]
    code, _, err = _run(tmp_path, capsys, ["", "   "])
    assert code == 2 and json.loads(err)["error"] == "no sentences in the data"
