"""training.agreement: Cohen's kappa between two labeling passes."""

import json

import pytest

from training.agreement import agreement, cohen_kappa
from training.probes import PROBES_DIR


def test_cohen_kappa_of_known_sequences():
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == 1.0
    assert cohen_kappa([1, 1, 0, 0], [0, 0, 1, 1]) == -1.0
    # observed 0.75, expected 0.5 * 0.25 + 0.5 * 0.75 = 0.5: (0.75 - 0.5) / 0.5
    assert cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]) == pytest.approx(0.5)
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) == 1.0  # both constant and equal


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_passes_are_matched_by_id_or_by_text_whatever_their_order(tmp_path):
    rows = [
        {"text": "A historic deal.", "claim": 1, "hedge": 0, "types": []},
        {"text": "It may rain.", "claim": 0, "hedge": 1, "types": ["uncertainty"]},
        {"text": "Sources said so.", "claim": 0, "hedge": 1, "types": ["attribution"]},
    ]
    first = _write(tmp_path / "first.jsonl", rows)
    # The second pass, in another order, disagrees on one hedge's type only.
    changed = {**rows[2], "types": ["uncertainty"]}
    second = _write(tmp_path / "second.jsonl", [changed, rows[0], rows[1]])
    result = agreement(first, second)
    assert result["sentences"] == 3
    assert result["claim"]["kappa"] == result["hedge"]["kappa"] == 1.0
    assert result["type:attribution"]["positives"] == [1, 0]
    assert result["type:uncertainty"]["agreement"] == pytest.approx(0.667, abs=1e-3)
    with_ids = [{**r, "id": f"n{k}", "text": "same text"} for k, r in enumerate(rows)]
    by_id = agreement(
        _write(tmp_path / "a.jsonl", with_ids), _write(tmp_path / "b.jsonl", with_ids[::-1])
    )
    assert by_id["sentences"] == 3 and by_id["type:attribution"]["kappa"] == 1.0


def test_the_committed_second_passes_give_the_documented_agreement():
    # README and training/labels/README.md quote these (news: 0.91 and 0.90, rounded).
    news = agreement()
    assert news["sentences"] == 400
    assert (news["claim"]["kappa"], news["hedge"]["kappa"]) == (0.909, 0.896)
    probes = agreement(
        PROBES_DIR / "guideline-heldout-6.jsonl",
        PROBES_DIR / "guideline-heldout-6.second-pass.jsonl",
    )
    assert probes["sentences"] == 147
    assert (probes["claim"]["kappa"], probes["hedge"]["kappa"]) == (1.0, 0.986)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"id": "n2", "claim": 7, "hedge": 0, "types": []}, r"claim is 7, not 0 or 1 \(id n2\)"),
        ({"id": "n2", "hedge": 0, "types": []}, r"no 'claim' field \(id n2\)"),
        ({"id": "n2", "claim": 0, "hedge": 1, "types": ["sarcasm"]}, "unknown hedge type"),
        ({"id": "n1", "claim": 0, "hedge": 0, "types": []}, r"the id is also on line 1"),
        ([1, 2], "not a record: a JSON list"),
    ],
)
def test_a_bad_record_of_either_pass_is_named_by_file_line_and_id(tmp_path, line, problem):
    from service.cli import LabelFileError

    rows = [{"id": f"n{k}", "claim": 0, "hedge": 0, "types": []} for k in (1, 2)]
    good = _write(tmp_path / "good.jsonl", rows)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rows[0]) + "\n" + json.dumps(line) + "\n", encoding="utf-8")
    for first, second in ((good, bad), (bad, good)):
        with pytest.raises(LabelFileError, match=f"^{bad}:2: {problem}"):
            agreement(first, second)
