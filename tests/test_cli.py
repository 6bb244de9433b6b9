"""service.cli: the argument types and the one-line errors every command line shares."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from service import cli


def _parse(kind, value):
    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("path", type=kind)
    return parser.parse_args([str(value)]).path


def test_input_file_and_dir(tmp_path, capsys):
    (tmp_path / "f.jsonl").write_text("{}\n")
    assert _parse(cli.input_file, tmp_path / "f.jsonl") == tmp_path / "f.jsonl"
    assert _parse(cli.input_dir, tmp_path) == tmp_path
    for kind, value, message in [
        (cli.input_file, tmp_path / "nope", "does not exist"),
        (cli.input_file, tmp_path, "is a folder, not a file"),
        (cli.input_dir, tmp_path / "nope", "does not exist"),
        (cli.input_dir, tmp_path / "f.jsonl", "is a file, not a folder"),
    ]:
        with pytest.raises(SystemExit) as stop:
            _parse(kind, value)
        assert stop.value.code == 2
        assert message in capsys.readouterr().err


def test_output_paths(tmp_path, capsys):
    (tmp_path / "old.json").write_text("{}")
    assert _parse(cli.output_file, tmp_path / "new.json") == tmp_path / "new.json"
    assert _parse(cli.output_file, tmp_path / "old.json") == tmp_path / "old.json"
    assert _parse(cli.output_dir, tmp_path / "models") == tmp_path / "models"
    for kind, value, message in [
        (cli.output_file, tmp_path, "is a folder"),
        (cli.output_file, tmp_path / "no" / "x.json", "does not exist: make it first"),
        (cli.output_dir, tmp_path / "old.json", "is a file, not a folder"),
        (cli.output_dir, tmp_path / "no" / "models", "does not exist: make it first"),
    ]:
        with pytest.raises(SystemExit) as stop:
            _parse(kind, value)
        assert stop.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


def test_output_paths_under_a_file_or_empty_are_named(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("x")
    for kind, value, message in [
        (cli.output_file, tmp_path / "file.txt" / "x.json", "file.txt is a file, not a folder"),
        (cli.output_file, tmp_path / "file.txt" / "a" / "x.json", "file.txt is a file, not a"),
        (cli.output_dir, tmp_path / "file.txt" / "models", "file.txt is a file, not a folder"),
        (cli.output_file, "", "an empty name: give a file name"),
        (cli.output_dir, "", "an empty name: give a folder name"),
    ]:
        with pytest.raises(SystemExit) as stop:
            _parse(kind, value)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert message in err
        assert "make it first" not in err


def test_output_paths_in_a_folder_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli.tempfile, "mkstemp", refused)
    for kind in (cli.output_file, cli.output_dir):
        with pytest.raises(SystemExit) as stop:
            _parse(kind, tmp_path / "x.json")
        assert stop.value.code == 2
        assert f"cannot write in {tmp_path} (Permission denied)" in capsys.readouterr().err
    # A file that is there is written in place: its folder need not take new files.
    (tmp_path / "old.json").write_text("{}")
    assert _parse(cli.output_file, tmp_path / "old.json") == tmp_path / "old.json"


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys")
def test_output_file_in_sys_is_refused_even_for_root(capsys):
    # As root, os.access says /sys is writable; making a file there still fails (Errno 13).
    with pytest.raises(SystemExit):
        _parse(cli.output_file, "/sys/caveat-x.json")
    assert "cannot write in /sys" in capsys.readouterr().err
    assert not list(Path("/sys").glob(".caveat-write-check-*"))


def test_output_file_check_leaves_no_file_behind(tmp_path):
    assert _parse(cli.output_file, tmp_path / "new.json") == tmp_path / "new.json"
    assert _parse(cli.output_dir, tmp_path) == tmp_path
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("value", "message"), [("0", "not at least 1"), ("-3", "not at least 1"),
                                                ("two", "not a whole number")])  # fmt: skip
def test_positive_int(capsys, value, message):
    assert _parse(cli.positive_int, "3") == 3
    with pytest.raises(SystemExit):
        _parse(cli.positive_int, value)
    assert message in capsys.readouterr().err


def test_refuse_empty_leaves_the_file(tmp_path):
    out = tmp_path / "labels.jsonl"
    with pytest.raises(SystemExit, match="no labels to write; .* is left as it was"):
        cli.refuse_empty([], out, "labels")
    cli.refuse_empty([1], out)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (FileNotFoundError(2, "No such file or directory", "/data/x"), "error: .*No such file"),
        (IsADirectoryError(21, "Is a directory", "/tmp"), "error: .*Is a directory"),
        (json.JSONDecodeError("Expecting value", "x", 0), "error: not JSON"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "error: not UTF-8"),
    ],
)  # fmt: skip
def test_command_turns_user_errors_into_one_line(error, message):
    @cli.command
    def main(argv=None):
        raise error

    with pytest.raises(SystemExit, match=message) as stop:
        main([])
    assert stop.value.__cause__ is None and stop.value.__suppress_context__


def test_command_lets_a_bug_raise():
    @cli.command
    def main(argv=None):
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        main([])


@pytest.mark.parametrize(
    ("kind", "good", "bad", "message"),
    [
        (cli.count, ("0", 0), "-1", "-1 is not at least 0"),
        (cli.seconds, ("0", 0.0), "-0.5", "-0.5 is not at least 0"),
        (cli.positive_seconds, ("0.25", 0.25), "0", "0 is not above 0"),
        (cli.positive_seconds, ("2", 2.0), "inf", "inf is not a finite number"),
        (cli.seconds, ("1e3", 1000.0), "nan", "nan is not a finite number"),
        (cli.count, ("7", 7), "1.5", "'1.5' is not a whole number"),
        (cli.seconds, ("3", 3.0), "soon", "'soon' is not a number"),
    ],
)
def test_counts_and_seconds(capsys, kind, good, bad, message):
    assert _parse(kind, good[0]) == good[1]
    with pytest.raises(SystemExit):
        _parse(kind, bad)
    assert message in capsys.readouterr().err
