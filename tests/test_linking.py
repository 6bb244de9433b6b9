"""Claim <-> caveat links."""

from service.analysis.linking import LinkInput, content_stems, link, relatedness


def sent(i, claim=False, hedge=False, words="deal progress", paragraph=0, contrast=False):
    return LinkInput(i, i, paragraph, claim, hedge, content_stems(words), contrast)


def test_claim_and_hedge_in_one_sentence_link_strongly():
    s = sent(0, claim=True, hedge=True)
    assert [(x.claim, x.hedge) for x in link([s])] == [(0, 0)]


def test_adjacent_hedge_on_the_same_subject_links():
    links = link([sent(0, claim=True), sent(1, hedge=True)])
    assert [(x.claim, x.hedge) for x in links] == [(0, 1)]


def test_far_unrelated_hedge_does_not_link():
    links = link([sent(0, claim=True), sent(7, hedge=True, words="weather rain", paragraph=3)])
    assert links == []


def test_nearer_hedge_is_more_related():
    c = sent(0, claim=True)
    assert relatedness(c, sent(1, hedge=True)) > relatedness(c, sent(3, hedge=True))


def test_contrast_opening_right_after_claim_adds_strength():
    c = sent(0, claim=True, words="deal")
    plain = relatedness(c, sent(1, hedge=True, words="funding"))
    turn = relatedness(c, sent(1, hedge=True, words="funding", contrast=True))
    assert turn > plain


def test_sentence_not_flagged_as_hedge_never_links():
    assert link([sent(0, claim=True), sent(1, hedge=False)]) == []


def test_shared_words_let_a_farther_hedge_link():
    c = sent(0, claim=True, words="ukraine security deal")
    assert link([c, sent(3, hedge=True, words="weather rain")]) == []
    assert [x.hedge for x in link([c, sent(3, hedge=True, words="ukraine security deal")])] == [3]


def test_a_hedge_two_sentences_away_links_only_on_the_same_subject():
    """People link few such hedges (``training.evaluate_articles``): the paragraph alone no
    longer carries one two sentences away, as it did while every Reuters body, one paragraph
    to the segmenter, linked each claim to each hedge two sentences off."""
    c = sent(0, claim=True, words="ukraine security deal")
    assert link([c, sent(2, hedge=True, words="weather rain")]) == []
    assert [x.hedge for x in link([c, sent(2, hedge=True, words="security deal talks")])] == [2]


def test_stems_drop_stopwords_and_plural_s():
    assert content_stems("The agreements and the agreement") == frozenset({"agreement"})


def test_restated_claim_borrows_the_caveats_of_its_first_statement():
    first = LinkInput(0, 0, 0, True, False, content_stems("deal"), False, frozenset({"big step"}))
    # A strong link (the next sentence, a turn, the same subject) is borrowed at 0.8.
    caveat = LinkInput(1, 1, 0, False, True, content_stems("deal funding"), True)
    again = LinkInput(
        20, 20, 5, True, False, content_stems("other"), False, frozenset({"big step"})
    )
    links = {(x.claim, x.hedge): x.strength for x in link([first, caveat, again])}
    assert links[(20, 1)] == round(links[(0, 1)] * 0.8, 4)


def test_links_are_ordered_by_claim_then_hedge():
    # A restated claim's borrowed link (20, 1) is found after the direct links, so only the
    # final ordering puts it before (25, 26).
    first = LinkInput(0, 0, 0, True, False, content_stems("deal"), False, frozenset({"big step"}))
    caveat = LinkInput(1, 1, 0, False, True, content_stems("deal funding"), True)
    again = LinkInput(
        20, 20, 5, True, False, content_stems("other"), False, frozenset({"big step"})
    )
    claim = LinkInput(25, 25, 6, True, False, content_stems("deal progress"), False)
    hedge = LinkInput(26, 26, 6, False, True, content_stems("deal progress"), True)
    pairs = [(x.claim, x.hedge) for x in link([first, caveat, again, claim, hedge])]
    assert pairs == [(0, 1), (20, 1), (25, 26)]


def test_lead_claim_of_a_paragraphed_story_links_a_caveat_far_on_whatever_its_words():
    """Rule 8 (docs/linking-decisions.md): a story of 4+ paragraphs has a lead."""
    lead = sent(1, claim=True, words="tremendous progress security deal")
    caveat = sent(30, hedge=True, words="weather rain", paragraph=6)
    # At LEAD_STRENGTH (rule 10), below MIN_STRENGTH: a far caveat qualifies a claim weakly.
    assert [(x.claim, x.hedge, x.strength) for x in link([lead, caveat], paragraphs=4)] == [
        (1, 30, 0.2)
    ]


def test_wire_copy_of_one_paragraph_has_no_lead():
    lead = sent(1, claim=True, words="tremendous progress security deal")
    caveat = sent(30, hedge=True, words="weather rain")
    assert link([lead, caveat], paragraphs=1) == []
    assert link([lead, caveat], paragraphs=3) == []


def test_the_lead_is_the_first_four_sentences_and_reaches_forty_on():
    far = sent(44, hedge=True, words="weather rain", paragraph=9)
    before = sent(0, hedge=True, words="weather rain")
    third, fifth = sent(3, claim=True, words="big win"), sent(4, claim=True, words="big win")
    pairs = {(x.claim, x.hedge) for x in link([before, third, fifth, far], paragraphs=10)}
    # The fourth sentence (position 3) leads; the fifth does not. The lead reaches 40 sentences
    # after it (43), not 41; and a caveat before the lead claim gains nothing from the rule.
    assert pairs == set()
    near_enough = sent(43, hedge=True, words="weather rain", paragraph=9)
    pairs = {(x.claim, x.hedge) for x in link([before, third, fifth, near_enough], paragraphs=10)}
    assert pairs == {(3, 43)}


def test_a_lead_claim_keeps_a_stronger_link_of_its_own():
    lead = sent(0, claim=True, words="deal progress")
    next_door = sent(1, hedge=True, words="deal progress")
    [x] = link([lead, next_door], paragraphs=5)
    assert x.strength == relatedness(lead, next_door) > 0.6


def test_a_body_claim_of_a_story_takes_the_caveats_of_the_next_two_paragraphs():
    """Rule 9: a claim after the lead links the hedges after it in its own paragraph and the
    next two, whatever their words; not a third paragraph on, nor one before it."""
    lead_filler = [sent(i, paragraph=0) for i in range(4)]
    claim = sent(6, claim=True, words="record harvest", paragraph=2)
    before = sent(5, hedge=True, words="weather rain", paragraph=1)
    own, next_one, second = (
        sent(k, hedge=True, words="weather rain", paragraph=p)
        for k, p in ((7, 2), (11, 3), (15, 4))
    )
    third = sent(19, hedge=True, words="weather rain", paragraph=5)
    found = link([*lead_filler, before, claim, own, next_one, second, third], paragraphs=6)
    assert {(x.claim, x.hedge) for x in found} == {(6, 7), (6, 11), (6, 15)}
    # In an article of fewer paragraphs only the adjacent hedge (same paragraph) links.
    found = link([before, claim, own, next_one, second, third], paragraphs=3)
    assert {(x.claim, x.hedge) for x in found} == {(6, 7)}


def test_in_a_story_no_caveat_before_its_claim_qualifies_it():
    """Rule 11: in a story, a hedge the sentence before a claim, on the same subject, does
    not link to it (people labeling the written stories never linked one so); the claim's own
    sentence and the sentences after it still do. In shorter articles nothing changes."""
    before = sent(4, hedge=True, paragraph=1)
    claim = sent(5, claim=True, hedge=True, paragraph=1)
    after = sent(6, hedge=True, paragraph=1)
    assert {(x.claim, x.hedge) for x in link([before, claim, after], paragraphs=4)} == {
        (5, 5),
        (5, 6),
    }
    assert {(x.claim, x.hedge) for x in link([before, claim, after], paragraphs=3)} == {
        (5, 4),
        (5, 5),
        (5, 6),
    }


def test_in_a_story_a_restated_claim_borrows_no_caveat_before_it():
    phrase = frozenset({"big step"})
    first = LinkInput(4, 4, 1, True, False, content_stems("deal"), False, phrase)
    caveat = LinkInput(5, 5, 1, False, True, content_stems("deal funding"), True)
    again = LinkInput(30, 30, 9, True, False, content_stems("other"), False, phrase)
    lead_filler = [sent(i) for i in range(4)]
    story = {(x.claim, x.hedge) for x in link([*lead_filler, first, caveat, again], 10)}
    assert story == {(4, 5)}
    # In wire copy of one paragraph, the restatement borrows its first statement's caveat.
    wire = {(x.claim, x.hedge) for x in link([first, caveat, again], 1)}
    assert wire == {(4, 5), (30, 5)}
