from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from listener.config import ScoringConfig
from listener.query import Term
from listener.sentiment import batch
from listener.sentiment.batch import BatchScorer, score_texts
from listener.sentiment.dispatch import Sentiment
from listener.sentiment.vader import VaderEnglish

VADER_ONLY = ScoringConfig(model="vader")


def test_handles_and_hashtags_are_masked_even_without_a_topic():
    scored = score_texts(["@happy_airlines #love the flight leaves at noon"], config=VADER_ONLY)[0]
    assert "happy" not in scored.masked and "love" not in scored.masked
    assert scored.score.label == "neutral"


def test_french_is_scored_with_the_french_lexicon():
    fr = score_texts(["Je suis vraiment déçu, ce service est nul"], config=VADER_ONLY)[0]
    assert (fr.lang, fr.score.scorer, fr.score.label) == ("fr", "vader-fr", "negative")


def test_identical_masked_texts_are_scored_once(monkeypatch):
    calls = []
    original = VaderEnglish.score

    def counting(self, text):
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(VaderEnglish, "score", counting)
    texts = ["RT @a: I love this coffee so much", "RT @b: I love this coffee so much",
             "I love this coffee  so much", "I love this coffee so much",
             "I hate waiting for my coffee"]
    results = score_texts(texts, tags=["en"] * 5, workers=1, config=VADER_ONLY)
    assert len(calls) == 3  # "RT : I love…", "I love…", "I hate…"
    assert len({r.score.compound for r in results[:4]}) == 1


def test_the_garbage_collector_is_paused_while_a_batch_is_scored_then_restored(monkeypatch):
    during = []
    real = batch.masked_with
    monkeypatch.setattr(batch, "masked_with", lambda text, pattern: during.append(gc.isenabled())
                        or real(text, pattern))
    score_texts(["I love this coffee", "I hate waiting"], config=VADER_ONLY, workers=1)
    assert during == [False, False]
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself gets it back paused
    try:
        score_texts(["I love tea"], config=VADER_ONLY, workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_large_batches_use_a_process_pool_with_the_same_results():
    texts = [f"I love coffee number {i}" for i in range(300)] + ["hola amigos como estan"]
    sentiment = Sentiment({"en": {"love": -2.0}}, model="vader")
    with BatchScorer(sentiment, workers=2, in_process_max=10, task_size=100) as batch:
        pooled = batch.run(texts)
        assert batch.pooled
    assert [r.score for r in pooled[:-1]] == [sentiment.score(t, "en") for t in texts[:-1]]
    assert pooled[0].score.label == "negative"  # the override reached the workers
    assert (pooled[-1].lang, pooled[-1].score.label) == ("es", "unscored")


_PARENT = textwrap.dedent("""
    import multiprocessing, time
    from listener.sentiment.batch import BatchScorer
    from listener.sentiment.dispatch import Sentiment

    batch = BatchScorer(Sentiment(model="vader"), workers=2, in_process_max=10, task_size=100)
    batch.run([f"I love coffee number {i}" for i in range(400)])
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(600)  # killed by the test
""")


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.real_sleep  # kills a process and waits for its pool workers to go
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_pool_workers_exit_when_their_parent_is_killed():
    with subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True,
                          cwd=Path(__file__).resolve().parents[3]) as parent:
        try:
            workers = [int(pid) for pid in parent.stdout.readline().split()]
            assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        finally:
            os.kill(parent.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)]


def test_term_sets_are_indexed_by_value_whichever_objects_hold_them():
    acme, beanly = (Term("word", "acme"),), (Term("word", "beanly"),)
    termsets: dict = {}
    assert batch._indices([acme, beanly, acme, (Term("word", "acme"),), ()], termsets) == [0, 1, 0, 0, 2]
    assert list(termsets) == [acme, beanly, ()]


def test_a_platform_tag_names_the_language_of_every_text_it_is_on_unless_it_names_none():
    texts = ["I waited two hours for my coffee and nobody said sorry",
             "J'ai attendu deux heures pour mon café et personne ne s'est excusé"] * 2
    results = score_texts(texts, tags=["und", "und", "fr-CA", "fr"], workers=1, config=VADER_ONLY)
    assert [(r.lang, r.lang_detected) for r in results] == [("en", True), ("fr", True), ("fr", False),
                                                           ("fr", False)]
