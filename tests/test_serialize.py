"""analysis_dict gives exactly what AnalysisSchema().dump gives (the API answers with it)."""

from pathlib import Path

import pytest

from service.schemas import AnalysisSchema, analysis_dict

SEED = next((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("*.txt"))

ARTICLES = [
    ("Officials hailed a historic breakthrough. However, more work is needed.", None, "a-1"),
    ("The deal may collapse in May.\n\nShares closed flat.", "Talks: a landmark deal?", None),
    ("No claim here. Nothing qualified either.", "", "x"),
    ("Ünïcode “quotes” — and emoji 🎉 may appear; it is unclear whether they count.", None, None),
]


@pytest.fixture(scope="module")
def analyses(real_app):
    analyzer = real_app.extensions["caveat"]
    out = []
    for explain in (False, True):
        out += [analyzer.analyze(t, title, i, explain=explain) for t, title, i in ARTICLES]
        seed = SEED.read_text(encoding="utf-8")
        out.append(analyzer.analyze(seed, "US hails progress", "seed", explain=explain))
    return out


def test_the_direct_dump_equals_the_schemas(analyses):
    schema = AnalysisSchema()
    for analysis in analyses:
        assert analysis_dict(analysis) == schema.dump(analysis)


def test_the_direct_dump_loads_back_through_the_schema(analyses):
    schema = AnalysisSchema()
    for analysis in analyses:
        schema.load(analysis_dict(analysis))  # raises on any field the contract lacks


def test_features_appear_only_when_explained(analyses):
    plain, explained = analyses[0], analyses[len(analyses) // 2]
    assert all("features" not in s for s in analysis_dict(plain)["sentences"])
    assert all("features" in s for s in analysis_dict(explained)["sentences"])
