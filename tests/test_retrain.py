"""python -m training.train rebuilds the committed model: same thresholds, same metrics."""

import json
import shutil

import pytest

from service.analysis.cues import find_cues
from service.analysis.model import MODELS_DIR, load_model
from training.datasets import DEFAULT_DATA_ROOT, NEWS_LABELS
from training.train import SEGMENTER_FILE, VERSION, train


@pytest.mark.slow
def test_retraining_reproduces_the_committed_model(tmp_path):
    committed = json.loads((MODELS_DIR / f"caveat-{VERSION}.json").read_text())
    shutil.copy(MODELS_DIR / SEGMENTER_FILE, tmp_path / SEGMENTER_FILE)
    rebuilt = train(DEFAULT_DATA_ROOT, NEWS_LABELS, tmp_path, VERSION)
    assert rebuilt["thresholds"] == committed["thresholds"]
    assert rebuilt["metrics"] == committed["metrics"]
    assert rebuilt["params"] == committed["params"]
    assert rebuilt["hedge_combiner"] == committed["hedge_combiner"]
    texts = ["Officials hailed a historic breakthrough.", "The talks may still collapse."]
    cues = [find_cues(t) for t in texts]
    old, new = load_model(MODELS_DIR), load_model(tmp_path)
    _, old_proba, old_spans, _ = old.predict(texts, cues)
    _, new_proba, new_spans, _ = new.predict(texts, cues)
    assert (old_proba == new_proba).all()
    assert old_spans == new_spans
