"""Load the trained model once, after checking it is the artifact its manifest describes.

Loading a joblib file runs code, so only an artifact from the models folder
whose sha256 matches its manifest is loaded, and only under the scikit-learn
version it was trained with (scikit-learn does not promise that a pickle
works across versions).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np
import sklearn

from service.analysis.cues import CueMatch
from service.analysis.heads import ConstantHead, CueCombiner
from service.analysis.segment import Segmenter
from service.analysis.tagger import CueTagger, TaggedSpan, parse_all
from service.analysis.types import HEDGE_TYPES, ModelInfo

#: The project's models folder: committed artifacts only.
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
_MANIFEST_NAME = re.compile(r"^caveat-(\d+)\.(\d+)\.(\d+)\.json$")
#: The files a manifest vouches for: its key for each, and what the file is.
ARTIFACTS = {
    "artifact": "model artifact",
    "segmenter": "segmenter",
    "tagger": "cue tagger",
    "claim_tagger": "claim tagger",
}


class ModelError(Exception):
    """The model cannot be loaded safely: tampered, incompatible or incomplete."""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Prediction(NamedTuple):
    """What the model says of a batch of sentences."""

    X: object  #: the feature matrix (sparse, one row a sentence)
    proba: np.ndarray  #: ``heads.COLUMNS`` probabilities, one row a sentence
    spans: list[list[TaggedSpan]]  #: the tagger's hedge cue spans of each sentence
    cue_max: np.ndarray  #: each sentence's likeliest hedge cue word's P(cue), 0 without any
    claim_max: np.ndarray  #: the same of the claim tagger's likeliest booster word
    claim_spans: list[list[TaggedSpan]]  #: the claim tagger's booster spans of each sentence
    type_max: np.ndarray  #: per sentence and hedge type, the hedge tagger's likeliest word's P


@dataclass
class CaveatModel:
    """The fitted Pipeline, the cue taggers, the segmenter, and the manifest that vouches for
    them."""

    pipeline: object
    segmenter: Segmenter
    card: dict
    tagger: CueTagger  #: hedge cues
    claim_tagger: CueTagger  #: claim boosters

    def __post_init__(self) -> None:
        # All heads as one matrix product: per-call input validation in each of the seven
        # heads' decision_function cost more than the arithmetic (bench.hotspots).
        weights, intercepts = [], []
        n_features = len(self.features.vocabulary_)
        for head in self.heads.heads_:
            base = head.base
            if isinstance(base, ConstantHead):
                weights.append(np.zeros(n_features))
                intercepts.append(float(base.decision_function(np.zeros((1, 1)))[0]))
            else:
                weights.append(base.coef_[0])
                intercepts.append(float(base.intercept_[0]))
        self._weights = np.column_stack(weights)
        self._intercepts = np.array(intercepts)
        #: Per label (claim, hedge, in ``heads.COLUMNS`` order): head + tagger -> P(label).
        self.combiners = (
            CueCombiner(**self.card["claim_combiner"]),
            CueCombiner(**self.card["hedge_combiner"]),
        )
        #: Per hedge type (``HEDGE_TYPES`` order): its head + the cue tagger's likeliest word
        #: of that type -> P(type | hedge).
        self.type_combiners = tuple(
            CueCombiner(**self.card["type_combiners"][t]) for t in HEDGE_TYPES
        )
        # All of them as one, so that the types combine in one expression, not five calls.
        self._types_combiner = CueCombiner.stacked(self.type_combiners)

    @property
    def info(self) -> ModelInfo:
        """Name and version, as every analysis reports them."""
        return ModelInfo(name=self.card["name"], version=self.card["version"])

    @property
    def thresholds(self) -> dict[str, float]:
        """Probability at or above which a label is flagged, chosen on the news dev split."""
        return self.card["thresholds"]

    @property
    def features(self):
        """The Pipeline's feature step."""
        return self.pipeline.named_steps["features"]

    @property
    def heads(self):
        """The Pipeline's classifier step."""
        return self.pipeline.named_steps["heads"]

    def head_scores(self, X) -> np.ndarray:
        """Every head's linear score (``heads.COLUMNS`` order) of each row of a feature matrix."""
        return np.asarray(X @ self._weights) + self._intercepts

    def predict_proba(
        self, X, claim_max: np.ndarray, cue_max: np.ndarray, type_max: np.ndarray
    ) -> np.ndarray:
        """Probabilities in ``heads.COLUMNS`` order (claim, hedge, each type) for a feature matrix,
        each sentence's best token probability from the claim and the hedge cue taggers, and
        the hedge tagger's best of each type (``type_max``, one column per type).

        Every column combines its head's score (all heads in one product) with its tagger's
        reading.
        """
        scores = self.head_scores(X)
        proba = np.empty_like(scores)
        for j, best in enumerate((claim_max, cue_max)):
            proba[:, j] = self.combiners[j].proba(scores[:, j], best)
        proba[:, 2:] = self._types_combiner.proba(scores[:, 2:], type_max)
        return proba

    def predict(self, texts: Sequence[str], cues: Sequence[Sequence[CueMatch]]) -> Prediction:
        """Features, probabilities (as ``predict_proba``) and the taggers' reading of sentences
        whose lexicon cues the caller found."""
        X = self.features.transform_parsed(texts, cues)
        sentences = parse_all(texts, cues)  # tokenised once for both taggers
        spans, cue_max, type_max = self.tagger.tag(texts, cues, sentences, by_kind=True)
        claim_spans, claim_max = self.claim_tagger.tag(texts, cues, sentences)
        proba = self.predict_proba(X, claim_max, cue_max, type_max)
        return Prediction(X, proba, spans, cue_max, claim_max, claim_spans, type_max)

    def explain(
        self, indices: np.ndarray, data: np.ndarray, j: int, tagger_max: float
    ) -> tuple[np.ndarray, float]:
        """The terms of one sentence's log-odds of label ``j`` (0 claim, 1 hedge): each of its
        features' (``indices`` and ``data`` of its csr row; through the head and the
        combiner's head weight), and its cue tagger's (its likeliest word's log-odds, or the
        combiner's term for no candidate word)."""
        combiner = self.combiners[j]
        tagger_term = float(combiner.tagger_terms(np.array([tagger_max]))[0])
        return combiner.head * self.heads.contributions(indices, data, j), tagger_term


def _newest_manifest(models_dir: Path) -> Path:
    found = []
    for path in models_dir.glob("caveat-*.json"):
        m = _MANIFEST_NAME.match(path.name)
        if m:
            found.append((tuple(int(g) for g in m.groups()), path))
    if not found:
        raise FileNotFoundError(f"no caveat-<version>.json manifest in {models_dir}")
    return max(found)[1]


def _checked_file(models_dir: Path, entry: dict, what: str) -> Path:
    # Only a bare file name inside the models folder: a manifest cannot point elsewhere.
    name = entry.get("file", "")
    if not name or Path(name).name != name:
        raise ModelError(f"{what}: the manifest names {name!r}, not a file in {models_dir}")
    path = models_dir / name
    if not path.is_file():
        raise ModelError(f"{what}: {path} is missing")
    actual = sha256_of(path)
    if actual != entry.get("sha256"):
        raise ModelError(
            f"{what}: sha256 of {path} is {actual}, the manifest says {entry.get('sha256')}; "
            "refusing to load an artifact that is not the one trained"
        )
    return path


def load_model(models_dir: Path = MODELS_DIR, version: str | None = None) -> CaveatModel:
    """Load ``caveat-<version>`` (the newest when None) from ``models_dir``, checking it first."""
    models_dir = Path(models_dir).resolve()
    if version is None:
        manifest_path = _newest_manifest(models_dir)
    else:
        manifest_path = models_dir / f"caveat-{version}.json"
        if not manifest_path.is_file():
            raise FileNotFoundError(f"no manifest {manifest_path}")
    try:
        card = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{manifest_path}: unreadable manifest ({exc})") from exc
    trained_with = card.get("libraries", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelError(
            f"{manifest_path.name} was trained with scikit-learn {trained_with}, this is "
            f"{sklearn.__version__}; install the pinned requirements or retrain"
        )
    files = {
        key: _checked_file(models_dir, card.get(key, {}), what) for key, what in ARTIFACTS.items()
    }
    for combiner in ("claim_combiner", "hedge_combiner", "type_combiners"):
        if combiner not in card:
            raise ModelError(f"{manifest_path.name} has no {combiner} weights")
    return CaveatModel(
        pipeline=joblib.load(files["artifact"]),
        segmenter=Segmenter.load(files["segmenter"]),
        card=card,
        tagger=joblib.load(files["tagger"]),
        claim_tagger=joblib.load(files["claim_tagger"]),
    )
