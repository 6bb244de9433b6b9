"""The label importers and the article pool: a mistake in what they are given stops them
before they write, and leaves the committed file as it was."""

from __future__ import annotations

import json

import pytest

from training import article_pool, import_article_cues, import_labels, import_written

LABELS = '{"id": "x", "claim": 1}\n'


@pytest.fixture
def committed(tmp_path):
    """A labels file that must survive every refusal."""
    path = tmp_path / "labels.jsonl"
    path.write_text(LABELS, encoding="utf-8")
    return path


def test_import_labels_with_no_matching_chunk_keeps_the_file(tmp_path, committed):
    pool, raw = tmp_path / "pool", tmp_path / "raw"
    pool.mkdir()
    raw.mkdir()  # a misspelt glob or folder: no chunk-*.labels.jsonl in it
    with pytest.raises(SystemExit, match="is left as it was"):
        import_labels.main([str(pool), str(raw), "--out", str(committed)])
    assert committed.read_text(encoding="utf-8") == LABELS


@pytest.mark.parametrize(
    "run",
    [
        lambda empty, out: import_written.main([str(empty), "--out", str(out)]),
        lambda empty, out: import_article_cues.main([str(empty), "--out", str(out)]),
        lambda empty, out: article_pool.main(["import", str(empty), str(empty), "--out", str(out)]),
    ],
    ids=["import_written", "import_article_cues", "article_pool import"],
)
def test_an_empty_input_keeps_the_file(tmp_path, committed, run):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SystemExit, match="is left as it was"):
        run(empty, committed)
    assert committed.read_text(encoding="utf-8") == LABELS


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["draw", "{file}"], "is a file, not a folder"),
        (["draw", "{dir}/out", "--chunks", "0"], "not at least 1"),
        (["draw", "{dir}/out", "--uniform", "-3"], "not at least 1"),
        (["draw", "{dir}/out", "--claim-rich", "-1"], "--claim-rich: -1 is not at least 0"),
        (["import", "{dir}/nope.jsonl", "{file}", "--out", "{dir}/x.jsonl"], "does not exist"),
        (["import", "{file}", "{file}", "--out", "{dir}/no/x.jsonl"], "make it first"),
    ],
)
def test_article_pool_mistakes_are_usage_errors(tmp_path, committed, capsys, argv, message):
    argv = [a.format(file=committed, dir=tmp_path) for a in argv]
    with pytest.raises(SystemExit) as stop:
        article_pool.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        # --out always points into tmp_path: a regression must not empty the committed file.
        ["{dir}/nope", "{dir}", "--out", "{dir}/news.jsonl"],
        ["{dir}", "{dir}", "--out", "{dir}/no/news.jsonl"],
    ],
)
def test_import_labels_argument_mistakes_are_usage_errors(tmp_path, argv):
    with pytest.raises(SystemExit) as stop:
        import_labels.main([a.format(dir=tmp_path) for a in argv])
    assert stop.value.code == 2


def test_a_label_file_that_is_not_json_is_one_line_of_error(tmp_path, committed):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"error: \S*bad\.jsonl:1: not JSON"):
        import_written.main([str(bad), "--out", str(committed)])
    assert committed.read_text(encoding="utf-8") == LABELS


@pytest.mark.parametrize(
    ("run", "record"),
    [
        (lambda f, out: import_written.main([str(f), "--out", str(out)]), '{"claim": 1}'),
        (lambda f, out: import_written.main([str(f), "--out", str(out)]), "[1, 2]"),
        (lambda f, out: import_article_cues.main([str(f), "--out", str(out)]), '{"cues": []}'),
        (lambda f, out: import_article_cues.main([str(f), "--out", str(out)]), '"a string"'),
    ],
    ids=["written-no-text", "written-list", "cues-no-id", "cues-string"],
)
def test_a_record_without_its_fields_is_one_line_of_error(tmp_path, committed, run, record):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(record + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"error: (\S*bad\.jsonl(:1)?: )?(not )?a record"):
        run(bad, committed)
    assert committed.read_text(encoding="utf-8") == LABELS


# --------------------------------------------------------------------------- invalid labels

TEXT = "Officials hailed a historic deal, but it may yet unravel."
MAY = {"text": "may", "label": "hedge", "type": "uncertainty"}


def _chunk(tmp_path, labels: dict) -> tuple:
    """A pool of one sentence and its annotator's labels, as ``import_labels`` reads them."""
    pool, raw = tmp_path / "pool", tmp_path / "raw"
    pool.mkdir(), raw.mkdir()
    row = {"id": "n00000", "source": "reuters21578:1", "start": 0, "end": len(TEXT)}
    row |= {"text": TEXT, "split": "train", "stratum": "uniform"}
    (pool / "chunk-00.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    line = {"id": "n00000", "claim": 0, "hedge": 1, "types": ["uncertainty"], "cues": [MAY]}
    line |= labels
    # A blank first line: the error names the line the record is on.
    (raw / "chunk-00.labels.jsonl").write_text("\n" + json.dumps(line) + "\n", encoding="utf-8")
    return pool, raw


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        ({"claim": 7}, "claim is 7, not 0 or 1"),
        ({"hedge": 2}, "hedge is 2, not 0 or 1"),
        ({"claim": "1"}, "claim is '1', not 0 or 1"),
        ({"types": ["uncertainty", "sarcasm"]}, "unknown hedge type 'sarcasm'"),
        ({"hedge": 0}, "hedge=0 but types="),
        ({"cues": []}, "type 'uncertainty' without a cue of that type"),
        ({"claim": 1}, "claim=1 with 0 claim cue(s)"),
    ],
)
def test_import_labels_refuses_invalid_labels_by_file_line_and_id(
    tmp_path, committed, labels, problem
):
    pool, raw = _chunk(tmp_path, labels)
    argv = [str(pool), str(raw), "--out", str(committed)]
    with pytest.raises(SystemExit) as stop:
        import_labels.main(argv)
    where = f"error: {raw / 'chunk-00.labels.jsonl'}:2: "
    assert stop.value.code.startswith(where) and problem in stop.value.code
    assert stop.value.code.endswith("(id n00000)")
    assert committed.read_text(encoding="utf-8") == LABELS


def test_import_labels_pass_name_is_first_or_second(tmp_path, committed, capsys):
    pool, raw = _chunk(tmp_path, {})
    with pytest.raises(SystemExit) as stop:
        import_labels.main([str(pool), str(raw), "--out", str(committed), "--pass-name", "banana"])
    assert stop.value.code == 2
    assert "invalid choice: 'banana'" in capsys.readouterr().err
    out = tmp_path / "n.jsonl"
    import_labels.main([str(pool), str(raw), "--out", str(out), "--pass-name", "second"])
    assert json.loads(out.read_text())["pass"] == "second"


@pytest.mark.parametrize(
    ("labels", "problem"),
    [
        ({"claim": 7}, "claim is 7, not 0 or 1"),
        ({"hedge": 2}, "hedge is 2, not 0 or 1"),
        ({"types": ["sarcasm"]}, "unknown hedge type 'sarcasm'"),
        ({"cues": []}, "type 'uncertainty' without a cue of that type"),
    ],
)
def test_import_written_refuses_invalid_labels_by_file_line_and_id(
    tmp_path, committed, labels, problem
):
    row = {"text": "It may rain.", "claim": 0, "hedge": 1, "types": ["uncertainty"], "cues": [MAY]}
    ok = {**row, "text": "It may snow."}
    raw = tmp_path / "w1.jsonl"
    raw.write_text(json.dumps(ok) + "\n" + json.dumps({**row, **labels}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        import_written.main([str(raw), "--out", str(committed)])
    assert stop.value.code.startswith(f"error: {raw}:2: ") and problem in stop.value.code
    assert stop.value.code.endswith("(id w00001)")
    assert committed.read_text(encoding="utf-8") == LABELS


def test_import_labels_does_not_drop_the_records_a_file_holds_unless_told(tmp_path, committed):
    """Run as the labels README once showed it (no --append), an import of a few chunks into
    the committed file would have rewritten it with those alone."""
    pool, raw = _chunk(tmp_path, {})
    argv = [str(pool), str(raw), "--out", str(committed)]
    with pytest.raises(SystemExit) as stop:
        import_labels.main(argv)
    assert "holds 1 record(s) this import would drop ('x')" in stop.value.code
    assert "--append" in stop.value.code and "--replace" in stop.value.code
    assert committed.read_text(encoding="utf-8") == LABELS
    import_labels.main([*argv, "--append"])
    ids = [json.loads(line)["id"] for line in committed.read_text().splitlines()]
    assert ids == ["n00000", "x"]
    with pytest.raises(SystemExit, match="would drop"):  # "x" is still there to lose
        import_labels.main(argv)
    import_labels.main([*argv, "--replace"])
    assert [json.loads(line)["id"] for line in committed.read_text().splitlines()] == ["n00000"]


def test_import_written_does_not_drop_the_sentences_a_file_holds_unless_told(tmp_path):
    row = {"text": "It may rain.", "claim": 0, "hedge": 1, "types": ["uncertainty"], "cues": [MAY]}
    first, second = tmp_path / "w1.jsonl", tmp_path / "w2.jsonl"
    first.write_text(json.dumps(row) + "\n", encoding="utf-8")
    second.write_text(json.dumps({**row, "text": "It may snow."}) + "\n", encoding="utf-8")
    out = tmp_path / "written.jsonl"
    import_written.main([str(first), "--out", str(out)])
    before = out.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as stop:  # the same id, w00000, for another sentence
        import_written.main([str(second), "--out", str(out)])
    assert "would drop ('It may rain.')" in stop.value.code
    assert out.read_text(encoding="utf-8") == before
    import_written.main([str(second), "--out", str(out), "--append"])
    assert [json.loads(x)["text"] for x in out.read_text().splitlines()] == [
        "It may rain.",
        "It may snow.",
    ]
    import_written.main([str(second), "--out", str(out), "--replace"])
    assert [json.loads(x)["text"] for x in out.read_text().splitlines()] == ["It may snow."]
