"""find_cues (prefilter + one pattern per first letter) finds exactly what the single
alternation of the lexicon finds, on made-up, random and corpus sentences."""

from __future__ import annotations

import itertools
import random

import pytest

from service.analysis import cues
from service.analysis.cues import _find_cues_reference, find_cues, fragment_prefixes
from service.analysis.segment import Segmenter, default_segmenter_path
from training.datasets import iter_ptc, iter_reuters, iter_szeged

TRICKY = [
    "",
    " ",
    "if",
    "If.",
    "May",
    "May said so.",
    "In May 2024 the deal may well be signed.",
    "Theresa May may not agree, but the deal could be done.",
    "Officials hailed 'Tremendous Progress' on the deal.",
    'Officials hailed "tremendous progress" on the deal.',
    "It isn't a breakthrough; it's not clearly a step-change.",
    "A non-breakthrough, a pre-milestone and a game-changer.",
    "Is this a historic breakthrough?",
    "It was not a significant step, nor a huge boost.",
    "There is no doubt that it will transform the city, without a doubt.",
    "Still, more work is still needed to finalize it, as long as it holds.",
    "still, the deal will then need Moscow's agreement and Kyiv’s consent.",
    "The pact would ultimately require the parliament's formal approval.",
    "The best-ever, world-class, state-of-the-art, first ever record high.",
    "He could swim; she could not read; they could hardly see.",
    "With all its might, the navy might act.",
    "Yet another delay, yet again; yet the vote passed.",
    "For a while, the talks stalled while the sides argued.",
    "As if, even if, what if, and only if it rains.",
    "Experts say, analysts warned, officials believe, and sources close to the talks agree.",
    "The greatest deal ever and the biggest in history, said the finest minds.",
    "It will dramatically improve things and would greatly help to heal.",
    "New opportunities, a new dawn and a fresh era.",
    "IT IS EXPECTED TO SOAR, SURGING AND BOOMING; SKYROCKETED!",
    "ſurely the ſignificant ſtep is KEY, İf İt is, ıf ıt is.",
    "Kelvin-sign Key step: \u212aey milestone and \u212aEY WIN.",
    "Curly quotes: “tremendous progress” and ‘historic deal’ – it’s unclear.",
    "naïve café owners may reportedly hope to see a résumé boost.",
    "The fund's perhaps-likely gain, the don't-know crowd, and the won't-happen case.",
    "Words_with_underscores may_be, digits 3may 4if and x-if y-may.",
    "remains to be seen\nwhether\tit holds, not yet, not immediately",
    "breakthrough breakthrough breakthrough milestones milestones",
    "A major step forward, an important milestone, a key win.",
    "Is a major step forward expected to be made? Nobody knows",
    "the answer is clear: the only possible explanation is success",
    "subject to approval, pending talks, depending upon funds, hinging on votes",
]

# Words from the lexicon and its neighbours, for random sentences.
_WORDS = (
    "a an the is are was were it he she we i they officials experts some critics many "
    "may might could would will then still need needs require approval agreement consent "
    "major big huge key historic deal step win breakthrough milestone record high best "
    "not no never without doubt clear clearly certainly if unless only even while yet but "
    "however though more further work needed required done remains to be seen said say "
    "believe think expected projected forecast set transform greatly dramatically improve "
    "help enable allow new fresh era dawn opportunity boost boosted strong growth robust "
    "game changer changing world class state of art cutting edge first ever in fact indeed "
    "May June month swim read naval military all with another again long short worth "
    "little great good as what far from under wraps details remain silver bullet hammered "
    "out being according sources close familiar with people reportedly allegedly 2024 5.3"
).split()
_GLUE = [" ", " ", " ", " ", "-", ", ", "; ", "'", "’", " “", "” ", "? ", ". ", "\n", "  "]


def _random_sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(1, 18)):
        word = rng.choice(_WORDS)
        shape = rng.random()
        if shape < 0.15:
            word = word.capitalize()
        elif shape < 0.2:
            word = word.upper()
        elif shape < 0.22:
            word = word.replace("s", "ſ").replace("k", "\u212a")
        words.append(word)
    text = words[0]
    for word in words[1:]:
        text += rng.choice(_GLUE) + word
    return text + rng.choice(["", ".", "?", "!", " ?", ",", "'"])


def _assert_same(texts) -> int:
    n = 0
    for text in texts:
        assert find_cues(text) == _find_cues_reference(text), text
        n += 1
    return n


def test_fast_path_is_on():
    assert cues._FAST_PATH is not None


def test_the_reference_takes_the_longest_cue_in_any_case():
    # What the fast path must reproduce: a phrase is found whole, not as its first word
    # ("work" is no cue, but "more" alone must not win either), whatever the letter case.
    text = "MORE WORK IS NEEDED, but it may work."
    found = [(c.label, c.type, text[c.start : c.end]) for c in _find_cues_reference(text)]
    assert found == [
        ("hedge", "limitation", "MORE WORK IS NEEDED"),
        ("hedge", "contrast", "but"),
        ("hedge", "uncertainty", "may"),
    ]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_sentences(text):
    _assert_same([text])


def test_random_sentences():
    rng = random.Random(5)
    assert _assert_same(_random_sentence(rng) for _ in range(4000)) == 4000


def test_every_fragment_alone_and_in_context():
    fragments = cues.CLAIM_CUES + [f for fs in cues.HEDGE_CUES.values() for f in fs]
    rng = random.Random(7)
    texts = []
    for fragment in fragments:
        # A literal rendering of the fragment: its first alternative, optional parts dropped.
        words = fragment_prefixes(fragment)
        for head in sorted(words):
            texts += [head, head.upper(), f"They said {head} it.", f"{head.capitalize()}, yes?"]
        texts.append(f"x {rng.choice(_WORDS)} {sorted(words)[0]}-{rng.choice(_WORDS)}")
    _assert_same(texts)


def test_fragment_prefixes_reads_the_lexicon_syntax():
    assert fragment_prefixes("if") == {"if"}
    assert fragment_prefixes("(?:a |an )?big") == {"a big", "an big", "big"}
    assert fragment_prefixes("Soar(?:ed|ing|s)?") == {"soar", "soared", "soaring", "soars"}
    assert fragment_prefixes(r"game[- ]chang") == {"game-ch", "game ch"}
    repeated = fragment_prefixes(r"x(?: \w+){0,4}? y")  # \0 stands for any character
    assert {"x y", "x \0 y", "x \0\0 y", "x \0 \0 y", "x \0\0\0\0\0"} <= repeated
    assert all(len(p) <= cues._PREFIX_LEN for p in repeated)
    for unsupported in ("(?P<x>a)", "(?=a)b", "[^a]b", "a|", "(?:a"):
        with pytest.raises(cues._Unsupported):
            fragment_prefixes(unsupported)


def test_unknown_syntax_falls_back_to_the_reference(monkeypatch):
    monkeypatch.setattr(cues, "CLAIM_CUES", [*cues.CLAIM_CUES, "(?=lookahead)x"])
    assert cues._build_fast_path() is None


def test_corpus_sentences():
    segmenter = Segmenter.load(default_segmenter_path())
    texts = []
    for doc in itertools.islice(iter_reuters(), 0, None, 40):  # ~490 articles, every 40th
        texts += [doc.text[s.start : s.end] for s in segmenter.split(doc.text)]
    for doc in itertools.islice(iter_ptc(), 0, None, 10):
        texts += [doc.text[s.start : s.end] for s in segmenter.split(doc.text)]
    for part in ("wiki", "bio"):
        texts += [s.text for s in itertools.islice(iter_szeged(part), 0, None, 10)]
    assert _assert_same(texts) > 5000
