"""Whole articles labeled for links and balance: drawing, importing, reading back, scoring."""

import hashlib
import json

import pytest

from service.analysis.segment import Segmenter, default_segmenter_path
from service.cli import LabelFileError
from training.agreement import cohen_kappa
from training.article_pool import article_record, convert, import_labels, part_of, readable
from training.datasets import (
    ARTICLE_LABELS,
    ARTICLE_LABELS_SECOND,
    NEWS_LABELS,
    iter_articles,
    load_document,
)
from training.evaluate_articles import (
    INTERVAL_VIEWS,
    PAIRED,
    View,
    compare,
    evaluate,
    intervals,
    news_agreement,
)
from training.news_pool import split_of

SOURCE = "semeval2020-ptc:article999000599"  # a test-split article of the pool


@pytest.fixture(scope="module")
def pooled() -> dict:
    doc = load_document(SOURCE)
    record = article_record(doc, Segmenter.load(default_segmenter_path()))
    return {**record, "article": "a900", "stratum": "uniform", "part": part_of(SOURCE)}


def _labels(pooled: dict, **change) -> dict:
    """Labels of the pooled article: sentence 2 a claim, 3 a hedge qualifying it."""
    sentences = [{"i": s["i"], "claim": 0, "hedge": 0, "types": []} for s in pooled["sentences"]]
    sentences[2].update(claim=1)
    sentences[3].update(hedge=1, types=["contrast"])
    labels = {
        "article": "a900",
        "sentences": sentences,
        "links": [[2, 3]],
        "balance": {"label": "balanced", "score": 0.7},
        "note": "free text that is never committed",
    }
    labels.update(change)
    return labels


def test_the_pool_article_is_a_test_document_read_as_the_service_splits_it(pooled):
    assert split_of(SOURCE) == "test"
    doc = load_document(SOURCE)
    for s in pooled["sentences"]:
        assert doc.text[s["start"] : s["end"]] == s["text"]
    text = readable(pooled)
    assert text.startswith("=== a900") and f"[{len(pooled['sentences']) - 1}] " in text


def test_import_keeps_offsets_and_labels_and_no_text(pooled, tmp_path):
    raw = tmp_path / "ann1.jsonl"
    raw.write_text(json.dumps(_labels(pooled)) + "\n")
    pool = tmp_path / "pool.jsonl"
    pool.write_text(json.dumps(pooled) + "\n")
    out = tmp_path / "articles.jsonl"
    assert import_labels(pool, [raw], out, "first") == 1
    committed = out.read_text()
    assert "never committed" not in committed
    assert pooled["sentences"][2]["text"] not in committed
    (article,) = iter_articles(out)
    assert article.links == {(2, 3)} and (article.label, article.score) == ("balanced", 0.7)
    start, end, claim, hedge, types = article.sentences[3]
    assert article.text[start:end] == pooled["sentences"][3]["text"]
    assert (claim, hedge, types) == (0, 1, ("contrast",))
    record = json.loads(committed)
    assert record["annotator"] == "ann1" and record["pass"] == "first"


def test_a_changed_document_is_refused(pooled, tmp_path):
    out = tmp_path / "articles.jsonl"
    record = convert(pooled, _labels(pooled), "first", "ann1")
    out.write_text(json.dumps({**record, "sha1": "0" * 40}) + "\n")
    with pytest.raises(ValueError, match="no longer matches"):
        list(iter_articles(out))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"links": [[3, 2]]}, "does not join a claim to a hedge"),
        ({"links": [[2, 999]]}, "out of range"),
        ({"balance": {"label": "no-claims", "score": None}}, "with claims=True"),
        ({"balance": {"label": "balanced", "score": None}}, "score None"),
        ({"balance": {"label": "balanced", "score": 1.5}}, "score 1.5"),
        ({"balance": {"label": "fair", "score": 0.5}}, "balance 'fair'"),
    ],
)
def test_inconsistent_labels_are_errors_not_guesses(pooled, change, message):
    with pytest.raises(ValueError, match=message):
        convert(pooled, _labels(pooled, **change), "first", "ann1")


def test_a_hedge_without_type_and_a_missing_sentence_are_errors(pooled):
    labels = _labels(pooled)
    labels["sentences"][3]["types"] = []
    with pytest.raises(ValueError, match="types"):
        convert(pooled, labels, "first", "ann1")
    labels = _labels(pooled)
    del labels["sentences"][-1]
    with pytest.raises(ValueError, match="indexes"):
        convert(pooled, labels, "first", "ann1")


def _view(links, label="balanced", score=0.7, flags=((1, 0), (0, 1), (1, 1))):
    return View(tuple(flags), frozenset(links), label, score)


def test_compare_scores_a_perfect_reading_one_and_misses_as_misses():
    gold = [_view({(0, 1), (2, 2)}), _view(set(), "no-claims", None, ((0, 0), (0, 1), (0, 0)))]
    perfect = compare(gold, gold)
    assert perfect["links"]["f1"] == perfect["claim"]["f1"] == perfect["hedge"]["f1"] == 1.0
    assert perfect["balance label"]["accuracy"] == perfect["balance label"]["kappa"] == 1.0
    unlinked = compare(gold, [_view(set(), "one-sided", 0.0), gold[1]])
    assert unlinked["links"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "tp": 0,
        "fp": 0,
        "fn": 2,
    }
    assert unlinked["balance label"]["accuracy"] == 0.5
    # A link to a hedge the system did not flag is not counted against its linking alone.
    unflagged = compare(gold[:1], [_view({(0, 1)}, flags=((1, 0), (0, 1), (1, 0)))])
    assert unflagged["links"]["recall"] == 0.5
    assert unflagged["links, claims and hedges both flag"]["f1"] == 1.0


def test_intervals_resample_articles_and_pair_the_two_linkings():
    gold = [_view({(0, 1), (2, 2)}, "balanced", 0.8), _view({(0, 1)}, "one-sided", 0.1)] * 20
    half = [_view({(0, 1)}, "balanced", 0.6), _view(set(), "balanced", 0.5)] * 20
    views = {name: gold for name in INTERVAL_VIEWS}
    views[PAIRED[1]] = half
    out = intervals(gold, views)
    assert out[PAIRED[0]] == {
        "links f1": [1.0, 1.0],
        "label accuracy": [1.0, 1.0],
        "score mae": [0.0, 0.0],
    }
    # Half the articles are read right: the accuracy interval spans 0.5, inside (0, 1).
    lo, hi = out[PAIRED[1]]["label accuracy"]
    assert 0.2 < lo < 0.5 < hi < 0.8
    # The paired difference of a perfect linking over the baseline is positive throughout.
    difference = out[f"{PAIRED[0]} minus {PAIRED[1]}"]
    assert difference["links f1"][0] > 0 and difference["label accuracy"][0] > 0


def test_kappa_of_labels():
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.0


def test_the_committed_report_is_what_the_labels_and_model_give():
    """docs/articles.json, quoted in the README, is rebuilt from the committed labels."""
    committed = json.loads((ARTICLE_LABELS.parents[2] / "docs" / "articles.json").read_text())
    assert evaluate(ARTICLE_LABELS, ARTICLE_LABELS_SECOND) == committed


def test_the_second_draw_takes_claim_rich_test_articles_not_drawn_before():
    from tests.test_report import docs_of
    from training.article_pool import CLAIM_RICH_MIN, draw_claim_rich
    from training.datasets import Document

    colours = ("red", "blue", "green", "grey", "black", "white")
    rich = " ".join(f"It was a record year for the {c} team." for c in colours[:CLAIM_RICH_MIN])
    plain = " ".join(f"Sales were flat in the {c} region." for c in colours)
    test_a, test_b, test_c = docs_of("test", 3, "reuters21578")
    (train,) = docs_of("train", 1, "reuters21578")
    docs = [
        Document(test_a, rich + " " + plain),  # claim-rich
        Document(test_b, plain),  # too few claim stems
        Document(test_c, rich + " " + plain),  # claim-rich but drawn before
        Document(train, rich + " " + plain),  # not a test document
    ]
    pool = draw_claim_rich(docs, Segmenter.load(default_segmenter_path()), {test_c}, 5, 56)
    assert [(r["source"], r["stratum"], r["article"]) for r in pool] == [
        (test_a, "claim-rich", "a056")
    ]
    assert pool[0]["part"] == part_of(test_a)


@pytest.fixture
def to_import(pooled, tmp_path):
    """A pool of one article, an annotator's labels of it, and where to write them."""
    pool = tmp_path / "pool.jsonl"
    pool.write_text(json.dumps(pooled) + "\n")
    raw = tmp_path / "ann1.jsonl"
    raw.write_text(json.dumps(_labels(pooled)) + "\n")
    return pool, raw, tmp_path / "articles.jsonl"


def test_import_append_keeps_the_earlier_records_and_refuses_a_repeat(to_import):
    pool, raw, out = to_import
    out.write_text('{"id": "a000", "earlier": true}\n')
    assert import_labels(pool, [raw], out, "first", append=True) == 1
    lines = out.read_text().splitlines()
    assert json.loads(lines[0]) == {"id": "a000", "earlier": True} and len(lines) == 2
    with pytest.raises(ValueError, match="twice"):
        import_labels(pool, [raw], out, "first", append=True)


def test_import_without_append_does_not_drop_the_articles_a_file_holds(pooled, to_import):
    pool, raw, out = to_import
    out.write_text('{"id": "a999", "earlier": true}\n')
    with pytest.raises(SystemExit, match=r"holds 1 record\(s\) this import would drop \('a999'\)"):
        import_labels(pool, [raw], out, "first")
    assert out.read_text() == '{"id": "a999", "earlier": true}\n'
    assert import_labels(pool, [raw], out, "first", replace=True) == 1
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [pooled["article"]]
    assert import_labels(pool, [raw], out, "first") == 1  # the same articles again: none lost


def test_the_full_evaluation_report_holds_the_same_article_figures():
    """``python -m training.evaluate --report`` carries the articles' block too."""
    docs = ARTICLE_LABELS.parents[2] / "docs"
    full = json.loads((docs / "evaluation.json").read_text())
    assert full["articles"] == json.loads((docs / "articles.json").read_text())


def test_our_written_articles_keep_their_text_and_paragraphs(tmp_path):
    from training.article_pool import written_pool

    text = (
        "Harbour Link Opens Ahead of Schedule\n\n"
        "The new ferry link opened on Monday. Officials hailed it as a historic step.\n\n"
        "However, the timetable may change in winter. Fares were not announced.\n"
    )
    (tmp_path / "writer.md").write_text("=== w900\n" + text + "\n=== w901\nA story.\n\nIt ended.\n")
    pool = written_pool([tmp_path / "writer.md"], Segmenter.load(default_segmenter_path()))
    assert [r["article"] for r in pool] == ["w900", "w901"]
    record = pool[0]
    assert record["text"] == text and record["part"] == record["stratum"] == "written"
    assert [s["paragraph"] for s in record["sentences"]] == [0, 1, 1, 2, 2]
    labels = {
        "article": "w900",
        "sentences": [
            {"i": k, "claim": int(k == 2), "hedge": int(k == 3), "types": ["contrast"] * (k == 3)}
            for k in range(5)
        ],
        "links": [[2, 3]],
        "balance": {"label": "balanced", "score": 0.6},
    }
    committed = convert(record, labels, "first", "c1")
    assert committed["text"] == text  # ours, so kept
    out = tmp_path / "written.jsonl"
    out.write_text(json.dumps(committed) + "\n")
    (article,) = iter_articles(out)
    start, end = article.sentences[2][:2]
    assert article.text[start:end] == "Officials hailed it as a historic step."


# --------------------------------------------------------------------------- bad label files


def _written_article(article_id: str = "w900") -> dict:
    """A valid record of a written article (its text kept): a claim, a hedge qualifying it."""
    text = "Officials hailed a historic deal. It may yet unravel. The council met."
    return {
        "id": article_id,
        "source": f"written:{article_id}",
        "text": text,
        "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest(),
        "part": "written",
        "stratum": "written",
        "pass": "first",
        "annotator": "c1",
        "sentences": [
            {"start": 0, "end": 33, "claim": 1, "hedge": 0, "types": []},
            {"start": 34, "end": 53, "claim": 0, "hedge": 1, "types": ["uncertainty"]},
            {"start": 54, "end": 70, "claim": 0, "hedge": 0, "types": []},
        ],
        "links": [[0, 1]],
        "balance": {"label": "balanced", "score": 0.9},
    }


def _with(record: dict, **change) -> dict:
    return {k: v for k, v in {**record, **change}.items() if v is not None}


def _sentence(record: dict, k: int, **change) -> list:
    return [{**s, **change} if j == k else s for j, s in enumerate(record["sentences"])]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: _with(r, balance=None), "no 'balance' field"),
        (lambda r: _with(r, balance={"label": "great", "score": 0.9}), "label 'great' is none"),
        (lambda r: _with(r, balance={"label": "balanced", "score": 5}), "score 5 is not a number"),
        (lambda r: _with(r, balance={"label": "balanced"}), "'balanced' without a score"),
        (lambda r: _with(r, balance={"label": "no-claims", "score": None}), "with a claim"),
        (lambda r: _with(r, links=[[0, 1], [99, 1]]), "link [99, 1] to a sentence"),
        (lambda r: _with(r, links=[[2, 1]]), "does not join a claim sentence to a hedge"),
        (lambda r: _with(r, part="tset"), "part 'tset' is none of dev, test, written"),
        (lambda r: _with(r, sentences=_sentence(r, 0, claim=7)), "sentence [0]: claim is 7"),
        (lambda r: _with(r, sentences=_sentence(r, 1, types=["sarcasm"])), "'sarcasm'"),
        (lambda r: _with(r, sentences=_sentence(r, 2, end=700)), "[2] ends at 700, past the end"),
        (lambda r: _with(r, sha1="0" * 40), "no longer matches its labels"),
        (lambda r: _with(r, sentences=None, claim=0), "not an article record"),
    ],
)
def test_a_bad_article_record_is_named_by_file_line_and_id(tmp_path, change, problem):
    labels = tmp_path / "articles.jsonl"
    rows = [_written_article("w900"), change(_written_article("w901"))]
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(LabelFileError) as error:
        list(iter_articles(labels))
    message = str(error.value)
    assert message.startswith(f"{labels}:2: ") and problem in message
    assert message.endswith("(id w901)") and "\n" not in message


def test_an_article_twice_or_a_line_that_is_no_record_is_named(tmp_path):
    labels = tmp_path / "articles.jsonl"
    record = json.dumps(_written_article())
    for second, problem in (
        (record, r"the id is also on line 1 \(id w900\)"),
        ("[1, 2]", "not a record: a JSON list"),
        ("{not json", "not JSON"),
    ):
        labels.write_text(record + "\n" + second + "\n", encoding="utf-8")
        with pytest.raises(LabelFileError, match=f"^{labels}:2: {problem}"):
            list(iter_articles(labels))


def test_the_news_labels_the_articles_are_compared_with_are_checked_record_by_record(tmp_path):
    # evaluate_articles' kappa against news.jsonl read that file with no check: a claim of 7
    # or an id twice changed the figure silently. A good file still gives a figure.
    news = tmp_path / "news.jsonl"
    first = next(line for line in NEWS_LABELS.read_text(encoding="utf-8").splitlines() if line)
    news.write_text(first + "\n", encoding="utf-8")
    assert news_agreement([], news) == {"sentences": 0}
    bad = json.loads(first) | {"claim": 7}
    news.write_text(first + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=f"^{news}:2: "):
        news_agreement([], news)
    news.write_text(first + "\n" + first + "\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=f"^{news}:2: the id is also on line 1"):
        news_agreement([], news)


def test_a_second_pass_article_the_first_lacks_is_refused(tmp_path):
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps(_written_article("w900")) + "\n", encoding="utf-8")
    again = [_written_article("w900"), _written_article("w999")]
    second.write_text("".join(json.dumps(r) + "\n" for r in again), encoding="utf-8")
    # Read and refused before any model is loaded (models: a folder without one).
    # Named by the line of the first such article, as every other label error is.
    problem = r":2: 1 of its articles are not in the first .* w999"
    with pytest.raises(LabelFileError, match=f"^{second}{problem}"):
        evaluate(first, second, models=tmp_path, written=None)
