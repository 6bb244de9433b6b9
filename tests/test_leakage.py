"""training.leakage: test sentences that training saw in another document."""

from __future__ import annotations

import json

import pytest

from training.leakage import EVALUATION, main, twins, words_of


def test_words_of_drops_case_punctuation_and_quotes():
    assert words_of("“You may opt out — at ANY time!”") == "you may opt out at any time"


def test_a_twin_is_equal_or_equal_word_for_word():
    seen = ["You may opt out at anytime.", "The bonds are guaranteed by the bank."]
    test = [
        "You may opt out at anytime.",  # equal
        '"The bonds are guaranteed by the bank"',  # the same words
        "The bonds are not guaranteed by the bank.",  # one word more
        "You may opt out",  # a part only
    ]
    assert twins(test, seen) == [True, True, False, False]


def test_the_run_scores_the_reported_figures_with_and_without_what_training_saw(tmp_path):
    out = tmp_path / "leakage.json"
    main(["--out", str(out)])
    found = json.loads(out.read_text(encoding="utf-8"))
    report = json.loads(EVALUATION.read_text(encoding="utf-8"))
    news, wiki = found["news"], found["szeged_wiki"]
    # "all" is the report's own test figure, so the "without" beside it is comparable.
    for label in ("claim", "hedge"):
        reported = report["sets"]["news-test"]["caveat"][label]["f1"]
        assert news[label]["all"] == pytest.approx(reported, abs=5e-4)
        assert 0 < news[label]["left_out"] == news["twins"] < news["sentences"]
    read = report["domain_thresholds"]["szeged-wiki-test"]["out_of_fold_combiner"]["test"]
    assert wiki["hedge_read_as_corpus"]["all"] == pytest.approx(read["f1"], abs=5e-4)
    assert 0 < news["article_twins"] < news["article_sentences"]
    # The split goes by article (rule 16): no test article has an excerpt in training.
    assert wiki["straddling_articles"] == 0 < wiki["articles"]
    assert wiki["hedge_read_as_corpus"]["left_out"] == wiki["twins"] < wiki["sentences"]


def test_a_split_by_excerpt_would_show_as_straddling_articles(monkeypatch):
    # The count must see excerpts of one article on both sides if the documents were excerpts
    # again (as up to model 1.10.0), not compare document ids that can never straddle.
    from training import leakage
    from training.datasets import LabeledSentence
    from training.news_pool import split_of

    # Two excerpts of one article, hashed to different sides.
    test_id = next(
        f"szeged-wiki:Tide_{n}" for n in range(100) if split_of(f"szeged-wiki:Tide_{n}") == "test"
    )
    train_id = next(
        f"szeged-wiki:Tide_{n}" for n in range(100) if split_of(f"szeged-wiki:Tide_{n}") != "test"
    )
    rows = [
        LabeledSentence("It may rain.", doc, "szeged-wiki", None, 1) for doc in (test_id, train_id)
    ]
    monkeypatch.setattr(leakage, "iter_szeged", lambda part, root: iter(rows))
    monkeypatch.setattr(leakage, "Caveat", _FlatCaveat)
    monkeypatch.setattr(leakage, "in_domain", lambda model, domain, combiner: model)
    evaluation = json.loads(EVALUATION.read_text(encoding="utf-8"))
    found = leakage.szeged_wiki_leakage(None, _Model(), evaluation)
    assert found["articles"] == 1
    assert found["straddling_articles"] == 1
    assert found["twins"] == 1


class _Model:
    thresholds = {"hedge": 0.5}


class _FlatCaveat:
    def __init__(self, model):
        pass

    def predict_proba(self, texts):
        import numpy as np

        return np.full((len(texts), 2), 0.9)
