"""training.import_article_cues and datasets.iter_article_rows: the cue marks of our written
articles, checked against their sentence labels and read back as training rows."""

import json

import pytest

from service.cli import LabelFileError
from training.datasets import (
    WRITTEN_ARTICLE_CUES,
    WRITTEN_ARTICLE_LABELS,
    article_sentence_id,
    iter_article_rows,
    iter_articles,
)
from training.import_article_cues import convert, main


@pytest.fixture(scope="module")
def first_article():
    return next(iter_articles(WRITTEN_ARTICLE_LABELS))


def _key(article, k: int) -> str:
    return article_sentence_id(article.id, k)


def _labeled(article, claim: int | None = None, hedge: int | None = None) -> int:
    """The index of the article's first sentence with the given labels."""
    return next(
        k
        for k, (_, _, c, h, _) in enumerate(article.sentences)
        if (claim is None or c == claim) and (hedge is None or h == hedge)
    )


def test_the_committed_cues_pass_the_import_checks_and_every_labeled_sentence_has_them():
    records = [json.loads(line) for line in WRITTEN_ARTICLE_CUES.read_text().splitlines()]
    marked = [
        {"id": r["id"], "cues": [{k: c[k] for k in ("text", "label", "type")} for c in r["cues"]]}
        for r in records
    ]
    assert convert(marked) == records
    articles = [a for a in iter_articles(WRITTEN_ARTICLE_LABELS) if a.id <= "w031"]
    labeled = {
        _key(a, k) for a in articles for k, (_, _, c, h, _) in enumerate(a.sentences) if c or h
    }
    assert {r["id"] for r in records} == labeled


def test_rows_carry_sentence_offsets_of_the_marked_words():
    rows = list(iter_article_rows(("w000", "w001")))
    records = {r["id"]: r for r in map(json.loads, WRITTEN_ARTICLE_CUES.read_text().splitlines())}
    articles = {a.id: a for a in iter_articles(WRITTEN_ARTICLE_LABELS) if a.id <= "w001"}
    assert len(rows) == sum(len(a.sentences) for a in articles.values())
    assert {r.doc for r in rows} == {"written-article:w000", "written-article:w001"}
    texts = [r.text[a:b] for r in rows for a, b, _, _ in r.cues]
    marked = [c["text"] for k, r in sorted(records.items()) if k < "w002" for c in r["cues"]]
    assert texts == marked
    # Unlabeled sentences are rows too, with no cue: what the taggers learn "no cue" from.
    assert any(not r.claim and not r.hedge and not r.cues for r in rows)


def test_a_cue_not_in_its_sentence_is_refused(first_article):
    k = _labeled(first_article, claim=1)
    line = {"id": _key(first_article, k), "cues": [{"text": "zzz", "label": "claim", "type": None}]}
    with pytest.raises(ValueError, match="not in the sentence"):
        convert([line])


def test_a_claim_sentence_without_a_claim_cue_is_refused(first_article):
    k = _labeled(first_article, claim=1)
    with pytest.raises(ValueError, match="without a claim cue"):
        convert([{"id": _key(first_article, k), "cues": []}])


def test_a_listed_hedge_type_without_its_cue_is_refused(first_article):
    k = _labeled(first_article, hedge=1)
    with pytest.raises(ValueError, match="no cue for hedge type"):
        convert([{"id": _key(first_article, k), "cues": []}])


def test_a_cue_of_a_label_the_sentence_lacks_is_refused(first_article):
    k = _labeled(first_article, claim=0, hedge=0)
    start, end = first_article.sentences[k][:2]
    word = first_article.text[start:end].split()[0]
    for label, kind in (("claim", None), ("hedge", "uncertainty")):
        line = {
            "id": _key(first_article, k),
            "cues": [{"text": word, "label": label, "type": kind}],
        }
        with pytest.raises(ValueError):
            convert([line])


def test_the_command_refuses_a_sentence_marked_twice(tmp_path, first_article):
    k = _labeled(first_article, claim=1)
    start, end = first_article.sentences[k][:2]
    word = first_article.text[start:end].split()[0]
    line = json.dumps(
        {"id": _key(first_article, k), "cues": [{"text": word, "label": "claim", "type": None}]}
    )
    raw = tmp_path / "marked.jsonl"
    raw.write_text(f"{line}\n{line}\n")
    with pytest.raises(SystemExit) as stop:
        main([str(raw), "--out", str(tmp_path / "out.jsonl")])
    # One line of error as every command's, naming the sentence.
    key = _key(first_article, k)
    assert stop.value.code == f"error: sentence {key} is marked twice in the files given"
    raw.write_text(f"{line}\n")
    main([str(raw), "--out", str(tmp_path / "out.jsonl")])
    (written,) = map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())
    assert written["cues"][0]["text"] == word


def _cue_file_with(tmp_path, change) -> tuple:
    """A copy of the committed cue marks with ``change`` applied to its first record (a claim
    sentence of w000), and that record's id."""
    lines = WRITTEN_ARTICLE_CUES.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    path = tmp_path / "cues.jsonl"
    path.write_text("\n".join([json.dumps(change(first)), *lines[1:]]) + "\n", encoding="utf-8")
    return path, first["id"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: {**r, "cues": []}, "claim 1 with 0 claim cue(s)"),
        (lambda r: {**r, "cues": [{**r["cues"][0], "end": 10**5}]}, "is not inside its sentence"),
        (lambda r: {**r, "cues": [{**r["cues"][0], "label": "boost"}]}, "label 'boost' is none"),
        (lambda r: {**r, "cues": [{**r["cues"][0], "text": "a quiet day"}]}, "is not 'a quiet"),
        (lambda r: {**r, "cues": "hailing"}, "cues is 'hailing', not a list"),
        (lambda r: {k: v for k, v in r.items() if k != "sentence"}, "no 'sentence' field"),
    ],
)
def test_a_bad_cue_record_is_named_by_file_line_and_id_where_rows_are_read(
    tmp_path, change, problem
):
    # The reader used to trust the file: a cue outside its sentence gave negative offsets, a
    # claim sentence without its cue taught the tagger that it holds none.
    cues, key = _cue_file_with(tmp_path, change)
    with pytest.raises(LabelFileError) as error:
        list(iter_article_rows(("w000", "w001"), cues=cues))
    message = str(error.value)
    assert message.startswith(f"{cues}:1: ") and problem in message
    assert message.endswith(f"(id {key})")


def test_a_sentence_marked_twice_in_the_cue_file_is_refused(tmp_path):
    lines = WRITTEN_ARTICLE_CUES.read_text(encoding="utf-8").splitlines()
    cues = tmp_path / "cues.jsonl"
    cues.write_text("\n".join([lines[0], lines[0], *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=f"^{cues}:2: the id is also on line 1"):
        list(iter_article_rows(("w000", "w001"), cues=cues))
