"""Drawing news sentences to label, and importing their labels as offsets."""

import json

import numpy as np
import pytest

from tests.test_report import docs_of
from training.import_labels import main as import_labels
from training.news_pool import BOUNDARY_BAND, BOUNDARY_STRATUM, draw_boundary, split_of


def _rows(corpus: str) -> list[tuple]:
    """Candidate rows (source, start, end, text, previous) of two train, one dev and two
    test documents; a sentence's text says its score ("score 0.30 ...")."""
    sources = docs_of("train", 2, corpus) + docs_of("dev", 1, corpus)
    sources += docs_of("test", 2, corpus)
    rows = []
    for source in sources:
        for i, score in enumerate((0.02, 0.10, 0.30, 0.59, 0.60, 0.90)):
            text = f"score {score:.2f} in {source}."
            rows.append((source, 100 * i, 100 * i + len(text), text, ""))
    return rows


def _score(texts: list[str]) -> np.ndarray:
    return np.array([float(t.split()[1]) for t in texts])


def test_the_boundary_draw_takes_train_and_dev_sentences_in_the_band_only():
    ptc, reuters = _rows("semeval2020-ptc"), _rows("reuters21578")
    taken = {ptc[2][:3]}  # a train sentence in the band, drawn before
    pool = draw_boundary((ptc, reuters), 100, taken, _score)
    lo, hi = BOUNDARY_BAND
    assert pool, "the band holds sentences of train and dev documents"
    for row in pool:
        assert row["stratum"] == BOUNDARY_STRATUM
        assert row["split"] == split_of(row["source"]) != "test"
        assert lo <= float(row["text"].split()[1]) < hi
        assert (row["source"], row["start"], row["end"]) not in taken
    # Three in-band scores (0.10, 0.30, 0.59) in each of 3 train/dev documents, less the one
    # taken: every one of them is drawn when n asks for more than there are.
    by_corpus = [sum(r["source"].startswith(c) for r in pool) for c in ("semeval", "reuters")]
    assert by_corpus == [8, 9]


def test_the_boundary_draw_splits_n_between_the_corpora_and_repeats_itself():
    corpora = (_rows("semeval2020-ptc"), _rows("reuters21578"))
    pool = draw_boundary(corpora, 4, set(), _score)
    assert sorted(r["source"].split(":")[0] for r in pool) == 2 * ["reuters21578"] + 2 * [
        "semeval2020-ptc"
    ]
    assert pool == draw_boundary(corpora, 4, set(), _score)


def _pool_row(i: int, text: str) -> dict:
    source = docs_of("train", 1, "reuters21578")[0]
    return {"id": f"n{i:05d}", "source": source, "start": 50, "end": 50 + len(text)} | {
        "text": text,
        "context": "",
        "stratum": BOUNDARY_STRATUM,
        "split": "train",
    }


def _write(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_appended_labels_keep_the_committed_ones_and_store_document_offsets(tmp_path):
    pool, raw = tmp_path / "pool", tmp_path / "raw"
    pool.mkdir(), raw.mkdir()
    text = "Officials hailed a historic deal, but it may yet unravel."
    _write(pool / "boundary-00.jsonl", [_pool_row(7, text)])
    cues = [
        {"text": "hailed a historic deal", "label": "claim", "type": None},
        {"text": "may", "label": "hedge", "type": "uncertainty"},
    ]
    label = {"id": "n00007", "claim": 1, "hedge": 1, "types": ["uncertainty"], "cues": cues}
    _write(raw / "boundary-00.labels.jsonl", [label])
    out = tmp_path / "news.jsonl"
    committed = {"id": "n00003", "source": "reuters21578:1", "claim": 0, "hedge": 0}
    _write(out, [committed])
    argv = [str(pool), str(raw), "--glob", "boundary-*.labels.jsonl", "--out", str(out)]

    import_labels([*argv, "--append"])
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["n00003", "n00007"]
    assert records[0] == committed
    new = records[1]
    assert new["stratum"] == BOUNDARY_STRATUM and new["claim"] == new["hedge"] == 1
    may = next(c for c in new["cues"] if c["label"] == "hedge")
    assert (may["start"] - 50, may["end"] - 50) == (text.index("may"), text.index("may") + 3)

    with pytest.raises(SystemExit, match="n00007"):  # the same labels twice
        import_labels([*argv, "--append"])
