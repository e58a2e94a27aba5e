from __future__ import annotations

from listener.sentiment.masking import Masker, masked, mention_text


def test_masker_merges_terms_of_all_matched_topics():
    masker = Masker({1: '"acme coffee" OR @acme', 2: "rival"})
    assert masker.mask("acme coffee beats rival, says @bob", [1, 2]).split() == ["beats", ",", "says"]


def test_masker_finds_the_topics_a_free_text_matches():
    masker = Masker({1: "acme", 2: "rival"})
    assert masker.matching("Acme is better") == [1]


def test_handles_and_hashtags_go_even_without_a_topic_and_spaces_fold():
    assert masked("@happy_airlines  #love the flight\nleaves") == "the flight leaves"


def test_the_title_is_scored_when_the_text_does_not_repeat_it():
    assert mention_text("body here", "Great title") == "Great title\nbody here"
    assert mention_text("Great title and more", "Great title") == "Great title and more"
    assert mention_text("body", "  ") == "body"
