"""The training command lines: a wrong path, count or range is a usage error (exit 2) before
any work, and what only reading finds (an empty or non-JSON file, a corpora folder without
the corpora, a model that is not there) is one line of error, exit 1; never a traceback."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

import training.learning_curve as learning_curve_module
import training.train as train_module
from service.analysis.model import MODELS_DIR
from training import (
    agreement,
    article_pool,
    combiner_study,
    cue_tagger,
    evaluate,
    evaluate_articles,
    leakage,
    news_pool,
    probes,
    segmenter,
    threshold_study,
)
from training.datasets import CORPUS_FILES, DEFAULT_DATA_ROOT, WRITTEN_ARTICLE_LABELS
from training.train import SEGMENTER_FILE


def _usage_error(main, argv, capsys, message):
    """``main(argv)`` stops as argparse does (exit 2), naming the mistake on stderr."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def _one_line_error(main, argv, message):
    """``main(argv)`` stops with one line "error: ...", exit 1 (SystemExit with a text)."""
    with pytest.raises(SystemExit, match=message) as stop:
        main(argv)
    assert isinstance(stop.value.code, str) and stop.value.code.startswith("error: ")
    assert "\n" not in stop.value.code
    return stop.value.code


@pytest.fixture
def files(tmp_path):
    """An empty file, a file that is not JSON, and a folder without any corpus."""
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    (tmp_path / "corpora").mkdir()
    return tmp_path


@pytest.fixture
def no_work(monkeypatch):
    """Training's work stops the test: a check that comes too late fails it, fast."""

    def started(*args, **kwargs):
        raise AssertionError("the work started before the check")

    for module in (train_module, threshold_study, combiner_study):
        monkeypatch.setattr(module, "load_corpora", started)
    monkeypatch.setattr(learning_curve_module, "load_claim_data", started)
    monkeypatch.setattr(cue_tagger, "training_rows", started)
    monkeypatch.setattr(segmenter, "build", started)
    monkeypatch.setattr(news_pool, "read_corpora", started)


# --------------------------------------------------------------------------- train


def test_train_out_without_the_segmenter_stops_before_any_fitting(files, no_work):
    message = _one_line_error(
        train_module.main, ["--out", str(files / "newdir")], f"no {SEGMENTER_FILE} in"
    )
    assert "training.segmenter" in message
    assert not (files / "newdir").exists()


def test_train_paths_are_checked_when_parsed(files, capsys, no_work):
    main = train_module.main
    _usage_error(main, ["--out", str(files / "bad.jsonl")], capsys, "is a file, not a folder")
    _usage_error(main, ["--data", str(files / "nope")], capsys, "does not exist")
    _usage_error(main, ["--labels", str(files / "nope.jsonl")], capsys, "does not exist")
    _usage_error(main, ["--labels", str(files)], capsys, "is a folder, not a file")


def test_train_empty_or_non_json_labels_are_one_line(files, no_work, monkeypatch):
    _one_line_error(
        train_module.main, ["--labels", str(files / "empty.jsonl")], "no labeled records in"
    )
    monkeypatch.undo()  # reading the labels is the work that finds them not JSON
    out = files / "models"
    out.mkdir()
    shutil.copy(MODELS_DIR / SEGMENTER_FILE, out / SEGMENTER_FILE)
    argv = ["--out", str(out), "--labels", str(files / "bad.jsonl")]
    _one_line_error(train_module.main, argv, r"bad\.jsonl:1: not JSON")


def test_train_a_corpora_folder_without_reuters_is_one_line(files):
    out = files / "models"
    out.mkdir()
    shutil.copy(MODELS_DIR / SEGMENTER_FILE, out / SEGMENTER_FILE)
    argv = ["--out", str(out), "--data", str(files / "corpora")]
    _one_line_error(train_module.main, argv, "lacks reuters21578")


def test_train_articles_outside_the_written_ones_are_a_usage_error(capsys, no_work):
    main = train_module.main
    _usage_error(main, ["--articles", "w999", "w998"], capsys, "no written article from w999")
    _usage_error(main, ["--articles", "w031", "w000"], capsys, "no written article from w031")


@pytest.mark.parametrize("version", ["", "../../x", "1.13", "1.13.0/../x", "1.13.0-", "v1.13.0"])
def test_train_version_the_loaders_cannot_load_is_a_usage_error(capsys, no_work, version):
    _usage_error(train_module.main, ["--version", version], capsys, "is not a model version")


def test_train_versions_accepted_are_what_the_loaders_load(tmp_path, capsys, no_work):
    from service.analysis.model import _newest_manifest

    for version in ("1.13.0", "1.13.0-t", "2.0.10-rc.1"):
        assert train_module.model_version(version) == version
    # X.Y.Z is picked as the newest; X.Y.Z-tag never is (only loaded when named), as --help says.
    for name in ("caveat-1.13.0.json", "caveat-1.14.0-t.json"):
        (tmp_path / name).write_text("{}")
    assert _newest_manifest(tmp_path).name == "caveat-1.13.0.json"
    with pytest.raises(SystemExit):
        train_module.main(["--help"])
    assert "X.Y.Z-tag" in capsys.readouterr().out


def _article(article_id: str) -> dict:
    text = "Officials hailed a historic deal. The council met."
    return {
        "id": article_id,
        "source": f"written:{article_id}",
        "text": text,
        "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest(),
        "part": "written",
        "stratum": "written",
        "sentences": [
            {"start": 0, "end": 33, "claim": 1, "hedge": 0, "types": []},
            {"start": 34, "end": 50, "claim": 0, "hedge": 0, "types": []},
        ],
        "links": [],
        "balance": {"label": "one-sided", "score": 0.0},
    }


def test_an_article_range_with_an_unmarked_article_is_named(tmp_path):
    article_range_error = train_module.article_range_error
    labels, cues = tmp_path / "articles.jsonl", tmp_path / "cues.jsonl"
    labels.write_text("".join(json.dumps(_article(i)) + "\n" for i in ("w000", "w001", "w002")))
    cue = {"start": 10, "end": 32, "label": "claim", "type": None}
    cues.write_text(json.dumps({"id": "w000-00", "cues": [cue]}) + "\n")
    assert article_range_error("w000", "w000", labels, cues) is None
    problem = article_range_error("w000", "w002", labels, cues)
    assert problem.startswith("w001 has labeled sentences without marked cues")
    assert "articles w000 to w000 have their cues marked" in problem
    assert "the ids run w000 to w002" in article_range_error("w005", "w009", labels, cues)


def test_the_committed_articles_the_help_names_are_a_valid_range():
    article_range_error = train_module.article_range_error
    # "w000 to w031 have their cues marked", says the help of --articles.
    assert article_range_error("w000", "w031") is None
    assert "have their cues marked" in article_range_error("w900", "w901")


# --------------------------------------------------------------------------- studies


def test_studies_check_their_paths_and_counts_when_parsed(files, capsys, no_work):
    folder, missing = str(files), str(files / "no" / "x.json")
    for main in (learning_curve_module.main, threshold_study.main, combiner_study.main):
        _usage_error(main, ["--out", folder], capsys, "is a folder; give a file name")
        _usage_error(main, ["--out", missing], capsys, "does not exist: make it first")
        _usage_error(main, ["--labels", folder], capsys, "is a folder, not a file")
        _usage_error(main, ["--data", str(files / "bad.jsonl")], capsys, "is a file, not a folder")
    _usage_error(threshold_study.main, ["--repeats", "0"], capsys, "0 is not at least 1")
    _usage_error(learning_curve_module.main, ["--seeds", "0"], capsys, "0 is not at least 1")


@pytest.mark.parametrize(
    ("fractions", "message"),
    [
        ("abc", "argument --fractions: 'abc' is not a list of numbers: give numbers in (0, 1]"),
        ("0.5,x", "argument --fractions: '0.5,x' is not a list of numbers"),
        ("0.5,0.5", "argument --fractions: '0.5,0.5' gives 0.5 more than once"),
        ("0.25,.25,1", "gives 0.25 more than once"),
        ("0,1", "argument --fractions: '0,1': give numbers in (0, 1] separated by commas"),
    ],
)
def test_learning_curve_fractions_name_the_option_and_refuse_repeats(
    capsys, no_work, fractions, message
):
    _usage_error(learning_curve_module.main, ["--fractions", fractions], capsys, message)


def test_studies_stop_on_empty_labels_before_any_work(files, no_work):
    empty = ["--labels", str(files / "empty.jsonl")]
    for main in (learning_curve_module.main, threshold_study.main, combiner_study.main):
        _one_line_error(main, empty, "no labeled records in")


@pytest.mark.parametrize("module", ["learning_curve", "threshold_study", "combiner_study"])
def test_studies_a_corpora_folder_without_reuters_is_one_line(files, module):
    main = {
        "learning_curve": learning_curve_module.main,
        "threshold_study": threshold_study.main,
        "combiner_study": combiner_study.main,
    }[module]
    _one_line_error(main, ["--data", str(files / "corpora")], "lacks reuters21578")


def test_cue_tagger_checks_its_out_and_labels_first(files, capsys, no_work):
    main = cue_tagger.main
    _usage_error(main, ["--out", str(files)], capsys, "is a folder; give a file name")
    _usage_error(main, ["--out", str(files / "no" / "t.joblib")], capsys, "make it first")
    out = ["--out", str(files / "t.joblib")]
    _usage_error(main, [*out, "--labels", str(files / "nope")], capsys, "does not exist")
    _one_line_error(main, [*out, "--labels", str(files / "empty.jsonl")], "no labeled records")


def test_cue_tagger_unreadable_labels_or_corpora_are_one_line(files):
    out = ["--out", str(files / "t.joblib")]
    _one_line_error(cue_tagger.main, [*out, "--labels", str(files / "bad.jsonl")], "not JSON")
    argv = [*out, "--data", str(files / "corpora")]
    _one_line_error(cue_tagger.main, argv, "lacks reuters21578")
    assert not (files / "t.joblib").exists()


def test_segmenter_checks_its_paths_first(files, capsys, no_work):
    _usage_error(segmenter.main, ["--out", str(files)], capsys, "is a folder; give a file name")
    _usage_error(segmenter.main, ["--data", str(files / "nope")], capsys, "does not exist")


def test_segmenter_a_corpora_folder_without_reuters_is_one_line(files):
    main = segmenter.main
    out = files / "punkt.json"
    argv = ["--data", str(files / "corpora"), "--out", str(out)]
    _one_line_error(main, argv, "lacks reuters21578")
    assert not out.exists()


def _out_mains():
    return {
        "learning_curve": (learning_curve_module.main, []),
        "threshold_study": (threshold_study.main, []),
        "combiner_study": (combiner_study.main, []),
        "evaluate_articles": (evaluate_articles.main, []),
        "leakage": (leakage.main, []),
        "evaluate": (evaluate.main, ["--report"]),
    }


@pytest.mark.parametrize("module", sorted(_out_mains()))
def test_out_in_a_folder_that_cannot_be_written_is_refused_first(
    files, capsys, monkeypatch, no_work, module
):
    main, extra = _out_mains()[module]

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("service.cli.tempfile.mkstemp", refused)
    _usage_error(main, [*extra, "--out", str(files / "x.json")], capsys, "cannot write in")


@pytest.mark.parametrize("module", sorted(_out_mains()))
def test_out_under_a_file_or_empty_is_named(files, capsys, no_work, module):
    main, extra = _out_mains()[module]
    under_a_file = str(files / "bad.jsonl" / "x.json")
    _usage_error(main, [*extra, "--out", under_a_file], capsys, "bad.jsonl is a file, not a folder")
    _usage_error(main, [*extra, "--out", ""], capsys, "an empty name: give a file name")


# --------------------------------------------------------------------------- agreement


def test_agreement_with_an_empty_or_unreadable_pass_is_one_line(files, capsys):
    main = agreement.main
    _one_line_error(main, ["--second", str(files / "empty.jsonl")], "no labeled records in")
    _one_line_error(main, ["--first", str(files / "empty.jsonl")], "no labeled records in")
    _one_line_error(main, ["--second", str(files / "bad.jsonl")], r"bad\.jsonl:1: not JSON")
    _usage_error(main, ["--second", str(files / "nope.jsonl")], capsys, "does not exist")
    _usage_error(main, ["--first", str(files)], capsys, "is a folder, not a file")


def test_agreement_of_passes_over_other_records_is_one_line(tmp_path):
    row = {"claim": 0, "hedge": 0, "types": []}
    (tmp_path / "a.jsonl").write_text(json.dumps({**row, "id": "n1"}) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({**row, "id": "n2"}) + "\n")
    argv = ["--first", str(tmp_path / "a.jsonl"), "--second", str(tmp_path / "b.jsonl")]
    _one_line_error(agreement.main, argv, "1 of the 1 records of .* are not in")


# --------------------------------------------------------------------------- evaluation


def test_evaluate_out_is_checked_and_only_goes_with_report(files, capsys):
    main = evaluate.main
    data = ["--data", str(files / "bad.jsonl"), "--format", "jsonl"]
    _usage_error(main, [*data, "--out", str(files / "e.json")], capsys, "--out goes with --report")
    _usage_error(main, ["--report", "--out", str(files / "no" / "e.json")], capsys, "make it first")
    _usage_error(main, ["--report", "--out", str(files)], capsys, "is a folder")
    _usage_error(main, ["--report", "--out", str(files / "e.md")], capsys, "give the JSON file")
    (files / "e.md").mkdir()
    _usage_error(main, ["--report", "--out", str(files / "e.json")], capsys, "is a folder")
    _usage_error(main, ["--report", *data], capsys, "do not go with --report")


def test_evaluate_a_missing_model_is_one_line(files, capsys):
    rows = files / "rows.jsonl"
    rows.write_text(json.dumps({"text": "It may rain.", "hedge": 1}) + "\n")
    data = ["--data", str(rows), "--format", "jsonl"]
    _usage_error(evaluate.main, [*data, "--models", str(files / "nope")], capsys, "does not exist")
    _one_line_error(evaluate.main, [*data, "--models", str(files / "corpora")], "error: ")


def test_evaluate_articles_checks_its_files(files, capsys):
    main = evaluate_articles.main
    _one_line_error(main, ["--labels", str(files / "empty.jsonl")], "no labeled records in")
    _one_line_error(main, ["--labels", str(files / "bad.jsonl")], r"bad\.jsonl:1: not JSON")
    _usage_error(main, ["--written", "typo"], capsys, "typo does not exist")
    _usage_error(main, ["--second", str(files / "typo")], capsys, "does not exist")
    _usage_error(main, ["--labels", str(files)], capsys, "is a folder, not a file")
    _usage_error(main, ["--out", str(files)], capsys, "is a folder; give a file name")
    _usage_error(main, ["--out", str(files / "no" / "a.json")], capsys, "make it first")
    _usage_error(main, ["--models", str(files / "nope")], capsys, "does not exist")
    _usage_error(main, ["--data", str(files / "nope")], capsys, "does not exist")


def test_evaluate_articles_a_missing_model_is_one_line(files):
    # Our written articles carry their text: no corpus is read before the model.
    argv = ["--labels", str(WRITTEN_ARTICLE_LABELS), "--models", str(files / "corpora")]
    _one_line_error(evaluate_articles.main, argv, "error: ")


def test_probes_a_missing_model_or_version_is_one_line(files, capsys):
    _usage_error(probes.main, ["--models", str(files / "nope")], capsys, "does not exist")
    _one_line_error(probes.main, ["--models", str(files / "corpora")], "error: ")
    _one_line_error(probes.main, ["--version", "0.0.0-none"], "error: no manifest")


# --------------------------------------------------------------------------- news pool


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--chunk", "0"], "0 is not at least 1"),
        (["--chunk", "-5"], "-5 is not at least 1"),
        (["--boundary-chunk", "0"], "0 is not at least 1"),
        (["--per-corpus", "0"], "0 is not at least 1"),
        (["--claim-rich", "-1"], "-1 is not at least 0"),
        (["--targeted", "800", "-2"], "-2 is not at least 0"),
        (["--boundary", "x"], "'x' is not a whole number"),
    ],
)
def test_news_pool_counts_are_checked_when_parsed(files, capsys, no_work, argv, message):
    _usage_error(news_pool.main, [str(files / "pool"), *argv], capsys, message)
    assert not (files / "pool").exists()


def test_news_pool_out_is_checked_first(files, capsys, no_work):
    _usage_error(news_pool.main, [str(files / "bad.jsonl")], capsys, "is a file, not a folder")
    _usage_error(news_pool.main, [str(files / "no" / "pool")], capsys, "make it first")


def test_news_pool_corpora_without_nltk_punkt_are_one_line(files, monkeypatch):
    monkeypatch.setattr("nltk.data.path", [])  # only --data's nltk_data, not the machine's
    corpora = files / "corpora"
    for pattern in CORPUS_FILES["reuters21578"] + CORPUS_FILES["semeval2020-ptc"]:
        (corpora / pattern.replace("*", "000")).parent.mkdir(parents=True, exist_ok=True)
        (corpora / pattern.replace("*", "000")).write_text("", encoding="utf-8")
    argv = [str(files / "pool"), "--data", str(corpora)]
    _one_line_error(news_pool.main, argv, "no NLTK English Punkt")
    assert not (files / "pool").exists()


# --------------------------------------------------------------------------- corpora present


@pytest.fixture
def corpora_without(tmp_path):
    """A corpora folder that links every corpus of the real one but ``names``."""

    def make(*names: str):
        folder = tmp_path / "partial"
        folder.mkdir()
        for entry in DEFAULT_DATA_ROOT.iterdir():
            if entry.name not in names:
                (folder / entry.name).symlink_to(entry)
        return folder

    return make


@pytest.fixture
def no_late_work(monkeypatch, no_work):
    """Besides training's work, the model and the report: a corpus check that comes after
    them fails the test."""

    def started(*args, **kwargs):
        raise AssertionError("the work started before the corpora were checked")

    monkeypatch.setattr("training.report.build_report", started)
    monkeypatch.setattr(evaluate_articles, "evaluate", started)
    monkeypatch.setattr(leakage, "load_model", started)
    monkeypatch.setattr(article_pool, "draw", started)
    monkeypatch.setattr(article_pool.Segmenter, "load", started)


@pytest.mark.skipif(not DEFAULT_DATA_ROOT.is_dir(), reason="needs the corpora")
@pytest.mark.parametrize("corpus", ["yu-claim-strength", "pei-jurgens-certainty", "lexicons"])
def test_evaluate_report_names_a_missing_corpus_before_the_work(
    corpora_without, monkeypatch, no_late_work, corpus
):
    monkeypatch.setattr(evaluate, "DEFAULT_DATA_ROOT", corpora_without(corpus))
    message = _one_line_error(evaluate.main, ["--report"], f"lacks {corpus} ")
    assert "reuters21578" not in message


@pytest.mark.skipif(not DEFAULT_DATA_ROOT.is_dir(), reason="needs the corpora")
@pytest.mark.parametrize(
    "module",
    [
        "train",
        "learning_curve",
        "threshold_study",
        "combiner_study",
        "cue_tagger",
        "segmenter",
        "news_pool",
        "article_pool",
        "evaluate_articles",
        "leakage",
    ],
)
def test_a_missing_ptc_is_named_as_the_corpus_before_the_work(
    corpora_without, no_late_work, tmp_path, module
):
    data = ["--data", str(corpora_without("semeval2020-ptc"))]
    argv = {
        "train": data,
        "learning_curve": data,
        "threshold_study": data,
        "combiner_study": data,
        "cue_tagger": [*data, "--out", str(tmp_path / "t.joblib")],
        "segmenter": [*data, "--out", str(tmp_path / "punkt.json")],
        "news_pool": [str(tmp_path / "pool"), *data],
        "article_pool": ["draw", str(tmp_path / "pool"), *data],
        "evaluate_articles": data,
        "leakage": data,
    }[module]
    main = __import__(f"training.{module}", fromlist=["main"]).main
    message = _one_line_error(
        main, argv, "lacks semeval2020-ptc \\(no semeval2020-ptc/train-articles/article\\*.txt\\)"
    )
    assert "szeged" not in message
    assert not (tmp_path / "pool").exists()


@pytest.mark.skipif(not DEFAULT_DATA_ROOT.is_dir(), reason="needs the corpora")
def test_the_corpora_folder_holds_every_corpus_a_command_reads():
    from training.datasets import missing_corpora

    assert missing_corpora(DEFAULT_DATA_ROOT, CORPUS_FILES) == {}


# --------------------------------------------------------------------------- help


#: The training commands (every module with a main).
HELPED = [
    "agreement",
    "article_pool",
    "combiner_study",
    "cue_tagger",
    "evaluate",
    "evaluate_articles",
    "import_article_cues",
    "import_labels",
    "import_written",
    "leakage",
    "learning_curve",
    "news_pool",
    "probes",
    "segmenter",
    "threshold_study",
    "train",
]


class _Parsed(Exception):
    """Raised in place of parsing: the parser ``main`` built."""


@pytest.mark.parametrize("module", HELPED)
def test_every_option_has_help_and_the_usage_names_the_module(monkeypatch, module):
    import argparse
    import importlib

    def caught(self, *args, **kwargs):
        raise _Parsed(self)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", caught)
    with pytest.raises(_Parsed) as parsed:
        importlib.import_module(f"training.{module}").main([])
    parser = parsed.value.args[0]
    assert parser.prog == f"python -m training.{module}"
    parsers = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += action.choices.values()
    unhelped = [
        f"{p.prog} {action.option_strings or action.dest}"
        for p in parsers
        for action in p._actions
        if not action.help and not isinstance(action, argparse._HelpAction)
    ]
    assert unhelped == []


# --------------------------------------------------------------------------- bad records


#: A news record whose split is misspelt: every reader of the labels refuses it by its line.
MISSPELT = {"id": "n1", "source": "x", "sha1": "x", "start": 0, "end": 5, "split": "tset"}


def test_a_bad_news_record_is_one_line_in_every_command_that_reads_the_labels(files):
    labels = files / "news.jsonl"
    labels.write_text("\n" + json.dumps(MISSPELT) + "\n", encoding="utf-8")
    out = files / "models"
    out.mkdir()
    shutil.copy(MODELS_DIR / SEGMENTER_FILE, out / SEGMENTER_FILE)
    problem = r"news\.jsonl:2: split 'tset' is none of train, dev, test \(id n1\)"
    runs = [
        (train_module.main, ["--out", str(out)]),
        (cue_tagger.main, ["--out", str(files / "t.joblib")]),
        (learning_curve_module.main, []),
        (threshold_study.main, []),
        (combiner_study.main, []),
    ]
    for main, argv in runs:
        _one_line_error(main, [*argv, "--labels", str(labels)], problem)


def test_agreement_a_bad_record_is_one_line(tmp_path):
    row = {"id": "n1", "claim": 0, "hedge": 0, "types": []}
    (tmp_path / "a.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({**row, "claim": 7}) + "\n")
    argv = ["--first", str(tmp_path / "a.jsonl"), "--second", str(tmp_path / "b.jsonl")]
    _one_line_error(agreement.main, argv, r"b\.jsonl:1: claim is 7, not 0 or 1 \(id n1\)")


def test_evaluate_articles_a_bad_record_or_unmatched_second_pass_is_one_line(tmp_path):
    main = evaluate_articles.main
    article = _article("w900")
    article["balance"]["label"] = "one-sided"
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(article) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**article, "balance": {"label": "great", "score": 0.0}}) + "\n")
    _one_line_error(main, ["--labels", str(bad)], r"bad\.jsonl:1: label 'great' is none of")
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps(MISSPELT) + "\n")
    _one_line_error(main, ["--labels", str(news)], r"news\.jsonl:1: no 'sentences' field")
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({**article, "id": "w999", "source": "written:w999"}) + "\n")
    argv = ["--labels", str(good), "--written", str(good), "--second", str(other)]
    _one_line_error(main, argv, "1 of its articles are not in the first pass")
