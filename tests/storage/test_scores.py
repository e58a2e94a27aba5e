from __future__ import annotations

from datetime import datetime

from storage import scores


def _score(mention_id: int, label: str = "neutral") -> dict:
    return {"mention_id": mention_id, "lang": "en", "lang_detected": True, "label": label,
            "compound": 0.0, "pos": 0.0, "neu": 1.0, "neg": 0.0, "scorer": "vader-en",
            "scored_at": datetime(2026, 11, 20)}


def test_pending_mentions_are_those_without_a_score_in_id_order(rows):
    ids = [rows.mention(i, f"text {i}") for i in range(4)]
    with rows.engine.begin() as c:
        scores.write(c, [_score(ids[1])])
        assert [r.id for r in scores.read_pending(c, 0, 10)] == [ids[0], ids[2], ids[3]]
        assert [r.id for r in scores.read_pending(c, ids[0], 1)] == [ids[2]]
        assert [r.id for r in scores.read_pending(c, 0, 10, rescore=True)] == ids
        assert scores.count_pending(c) == 3 and scores.count_pending(c, rescore=True) == 4


def test_writing_the_same_scores_twice_keeps_one_row_with_the_last_label(rows):
    mention = rows.mention(1, "text")
    with rows.engine.begin() as c:
        scores.write(c, [_score(mention, "neutral")])
        scores.write(c, [_score(mention, "negative")])
    stored = rows.scores()
    assert len(stored) == 1 and stored[mention].label == "negative"


def test_the_watermark_starts_the_search_with_an_overlap(rows):
    with rows.engine.begin() as c:
        assert (scores.watermark(c), scores.start(c)) == (0, 0)
        scores.set_watermark(c, 5_000)
        assert scores.start(c) == 5_000 - scores.WATERMARK_OVERLAP
        assert scores.start(c, rescore=True) == 0


def test_topics_of_and_topic_queries_read_what_masking_needs(rows):
    acme = rows.topic("Acme", "acme OR @acme")
    rival = rows.topic("Rival", "rival", kind="competitor")
    both = rows.mention(1, "acme vs rival", topic_ids=[acme, rival])
    rows.mention(2, "nothing")
    with rows.engine.connect() as c:
        assert {k: sorted(v) for k, v in scores.topics_of(c, both, both + 1).items()} == {
            both: sorted([acme, rival])}
        assert scores.topic_queries(c) == {acme: "acme OR @acme", rival: "rival"}
