"""The quicker spellings of the feature step give exactly what the plain ones gave: tokens,
valence features, whole matrices and fitted vocabularies; and content stems for linking."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Mapping

import numpy as np
import pytest
import scipy.sparse as sp

from service.analysis import features as F
from service.analysis.cues import find_cues
from service.analysis.linking import _STOP, content_stems
from service.analysis.segment import Segmenter, default_segmenter_path
from training.datasets import iter_ptc, iter_reuters, iter_szeged

# --------------------------------------------------------------------------- the plain spellings

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]{3,}")


def plain_tokens(text: str) -> list[str]:
    return [_DIGIT.sub("0", t) for t in _TOKEN.findall(text.lower())]


def plain_valence(toks: list[str], valence: Mapping[str, float]) -> list[str]:
    names = []
    strong = [t for t in toks if valence.get(t, 0.0) >= 2.0]
    positive = [t for t in toks if valence.get(t, 0.0) >= 1.0]
    negative = [t for t in toks if valence.get(t, 0.0) <= -1.0]
    if positive:
        names.append("val:pos")
        names.append("val:pos>=2" if len(positive) >= 2 else "val:pos=1")
    if strong:
        names.append("val:strong")
    if negative:
        names.append("val:neg")
        if not positive:
            names.append("val:neg-only")
    for a, b in zip(toks, toks[1:], strict=False):
        if a in F._INTENSIFIERS and valence.get(b, 0.0) >= 1.0:
            names.append("val:intensified-pos")
            break
    return names


def plain_names(step: F.SentenceFeatures, text: str) -> list[str]:
    toks = plain_tokens(text)
    cues = find_cues(text)
    names = [f"w:{t}" for t in toks]
    if step.ngram_max >= 2:
        names += [f"w:{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
    names += F.cue_features(text, cues)
    if any(ch in F._QUOTES for ch in text):
        assert "shape:quote" in names
    if step.valence:
        names += plain_valence(toks, step.valence)
    if step.clusters:
        for t in toks:
            names += [f"clu:{level}:{c}" for level, c in enumerate(step.clusters.get(t, ()))]
    return names


def plain_transform(step: F.SentenceFeatures, texts: list[str]) -> sp.csr_matrix:
    vocab = step.vocabulary_
    indptr, indices = [0], []
    for text in texts:
        row = {vocab[name] for name in plain_names(step, text) if name in vocab}
        indices.extend(sorted(row))
        indptr.append(len(indices))
    data = step.column_scale_[np.asarray(indices, dtype=np.int64)]
    return sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(texts), len(vocab)),
    )


def plain_fit(step: F.SentenceFeatures, texts: list[str]) -> dict[str, int]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(plain_names(step, text)))
    kept = sorted(name for name, count in df.items() if count >= step.min_df)
    return {name: i for i, name in enumerate(kept)}


def plain_stems(text: str) -> frozenset[str]:
    stems = set()
    for word in _WORD.findall(text.lower()):
        if word in _STOP:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if len(word) > len(suffix) + 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        stems.add(word)
    return frozenset(stems)


# --------------------------------------------------------------------------- inputs

MADE_UP = [
    "",
    "   ",
    "Shares rose 5.93% to $6.42, or 1,234.5 points, on 3/4 of the volume.",
    "The firm's CEO said: “It is a very successful, hugely positive step!”",
    "Café naïve résumé – ２０２４ and ٣٤٥ digits; ΟΔΟΣ and İstanbul, Kelvin \u212a.",
    "tabs\tand\x0bvertical\x1cseparators\x1d\x1e\x1fend",
    "under_score snake_case x_1 and don't, won’t, rock'n'roll",
    "Is it a good, great, excellent, wonderful deal? Terrible, awful losses.",
    "Extremely bad but really good; so happy, most kind.",
    "\x00\x01 control \x7f chars ~^`|",
]
VALENCE = {"good": 1.9, "great": 3.1, "excellent": 2.7, "successful": 2.2, "positive": 2.6,
           "bad": -2.5, "terrible": -2.1, "awful": -2.0, "happy": 2.7, "kind": 2.4,
           "wonderful": 2.7, "losses": -1.5, "step": 0.0}  # fmt: skip
#: Word clusters (two levels, coarse to fine), with a word in one level only and a word
#: that no training text holds ("zzz"), so that some cluster features are never kept.
CLUSTERS = {"good": (0, 3), "great": (0, 3), "bad": (1, 4), "the": (2, 5), "rose": (1, 6),
            "shares": (2, 7), "a": (3,), "zzz": (4, 9)}  # fmt: skip


def _random_text(rng: random.Random) -> str:
    alphabet = "aeiou bcdfg XYZ 0123 .,'’-_?!\t\n“”İıſ\u212aé٣\x1c"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))


def _corpus_sample() -> list[str]:
    segmenter = Segmenter.load(default_segmenter_path())
    texts = []
    for doc in itertools.islice(iter_reuters(), 0, None, 60):
        texts += [doc.text[s.start : s.end] for s in segmenter.split(doc.text)]
    for doc in itertools.islice(iter_ptc(), 0, None, 15):
        texts += [doc.text[s.start : s.end] for s in segmenter.split(doc.text)]
    for part in ("wiki", "bio"):
        texts += [s.text for s in itertools.islice(iter_szeged(part), 0, None, 15)]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rng = random.Random(11)
    return MADE_UP + [_random_text(rng) for _ in range(3000)] + _corpus_sample()


# --------------------------------------------------------------------------- the checks


def test_ascii_token_pattern_is_token_pattern_on_every_ascii_character():
    for code in range(128):
        c = chr(code)
        for text in (c, c * 3, f"a{c}b", f"1{c}2", f"x'{c}y", f"{c}a'b{c}1.2{c}"):
            assert F._ASCII_TOKEN.findall(text) == _TOKEN.findall(text), repr(text)


def test_tokens(texts):
    for text in texts:
        assert F.tokens(text) == plain_tokens(text), text


def test_valence_features(texts):
    for text in texts:
        toks = F.tokens(text)
        assert F.valence_features(toks, VALENCE) == plain_valence(toks, VALENCE), text


def test_content_stems(texts):
    rng = random.Random(3)
    words = [
        "".join(rng.choice("abdeginsx") for _ in range(rng.randint(1, 9))) for _ in range(5000)
    ]
    for text in [*texts, *words]:
        assert content_stems(text) == plain_stems(text), text


@pytest.mark.parametrize(
    ("ngram_max", "min_df", "valence", "clusters"),
    [(2, 2, VALENCE, None), (1, 1, None, None), (2, 1, None, None), (2, 2, VALENCE, CLUSTERS)],
)
def test_fit_and_transform(texts, ngram_max, min_df, valence, clusters):
    step = F.SentenceFeatures(
        ngram_max=ngram_max, min_df=min_df, valence=valence, prior_scale=3.0, clusters=clusters
    )
    half = texts[::2]
    step.fit(half)
    assert step.vocabulary_ == plain_fit(step, half)
    fast, plain = step.transform(texts), plain_transform(step, texts)
    for attr in ("indptr", "indices", "data"):
        got, want = getattr(fast, attr), getattr(plain, attr)
        assert got.dtype == want.dtype and np.array_equal(got, want), attr
    assert fast.shape == plain.shape


def test_word_maps_are_rebuilt_on_load_and_never_pickled(texts):
    import pickle

    step = F.SentenceFeatures(min_df=1, valence=VALENCE, clusters=CLUSTERS).fit(texts[::3])
    before = step.transform(texts)
    assert "_word_columns_" in step.__dict__  # transform built them
    assert "_cluster_columns_" in step.__dict__
    blob = pickle.dumps(step)
    assert b"_word_columns_" not in blob and b"_cluster_columns_" not in blob
    # Pickling leaves the pickled object's own maps in place.
    assert "_word_columns_" in step.__dict__ and "_cluster_columns_" in step.__dict__
    loaded = pickle.loads(blob)
    # Built on load, before any request.
    assert "_word_columns_" in loaded.__dict__ and "_cluster_columns_" in loaded.__dict__
    after = loaded.transform(texts)
    assert (before != after).nnz == 0 and np.array_equal(before.indices, after.indices)
    # A refitted vocabulary replaces the maps: no stale columns.
    loaded.fit(texts[1::3])
    assert np.array_equal(loaded.transform(texts).indices, plain_transform(loaded, texts).indices)


def test_cluster_features_name_each_level_of_each_clustered_token():
    toks = ["the", "good", "zzz", "unknown", "a"]
    assert F.cluster_features(toks, CLUSTERS) == [
        "clu:0:2", "clu:1:5", "clu:0:0", "clu:1:3", "clu:0:4", "clu:1:9", "clu:0:3",
    ]  # fmt: skip
    assert F.cluster_features(toks, {}) == []


def test_features_pickled_before_clusters_load_without_them(texts):
    """A model pickled before the clusters existed has no ``clusters`` attribute."""
    import pickle

    step = F.SentenceFeatures(min_df=1, valence=VALENCE).fit(texts[::3])
    state = step.__getstate__()
    del state["clusters"]
    old = F.SentenceFeatures.__new__(F.SentenceFeatures)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert old.clusters is None
    assert np.array_equal(old.transform(texts).indices, step.transform(texts).indices)


def test_a_cluster_feature_is_named_with_its_most_frequent_words():
    clusters = {"the": (0, 1), "good": (0, 2), "great": (0, 2), "fine": (0, 2), "nice": (0, 2)}
    step = F.SentenceFeatures(min_df=1, clusters=clusters).fit(["The good, great, fine, nice."])
    names = set(step.get_feature_names_out())
    assert {"clu:0:0 (the, good, great)", "clu:1:1 (the)", "clu:1:2 (good, great, fine)"} <= names
    assert "w:good" in names
