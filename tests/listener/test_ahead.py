"""Work in a forked child: the same items in order, the child's errors raised here, no orphans."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator

import pytest

from listener.ahead import beside, made_ahead


def _numbers(n: int) -> Iterator[dict]:
    for i in range(n):
        yield {"i": i, "pid": os.getpid(), "text": "é" * (i % 7)}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_every_item_arrives_in_order_made_by_another_process(forking):
    items = list(made_ahead(_numbers(500)))
    assert [item["i"] for item in items] == list(range(500))
    assert {item["pid"] for item in items} != {os.getpid()}
    assert items[6]["text"] == "é" * 6


def test_an_error_raised_by_the_generator_is_raised_in_the_parent_after_the_items_before_it(forking):
    def failing() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("line 3 is not JSON")

    seen = []
    with pytest.raises(ValueError, match="line 3 is not JSON"):
        for item in made_ahead(failing()):
            seen.append(item)
    assert seen == [1, 2]


def test_an_error_that_cannot_be_pickled_arrives_as_a_runtime_error_with_its_text(forking):
    class Local(Exception):  # defined in a function: pickle cannot find it by name
        pass

    def failing() -> Iterator[int]:
        raise Local("odd failure")
        yield 0

    with pytest.raises(RuntimeError, match="Local: odd failure"):
        list(made_ahead(failing()))


def test_a_consumer_that_stops_early_leaves_no_child_behind(forking):
    items = made_ahead(_numbers(10**9))
    first = next(items)
    child = first["pid"]
    items.close()  # as a `for` loop left by an exception does
    assert not _alive(child)


def test_a_child_killed_mid_way_is_an_error_not_a_short_result(forking):
    items = made_ahead(_numbers(10**9))
    child = next(items)["pid"]
    os.kill(child, signal.SIGKILL)
    with pytest.raises(ChildProcessError, match="ended unexpectedly"):
        for _ in items:
            pass


def test_with_other_threads_running_the_items_are_made_in_this_process():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        items = list(made_ahead(_numbers(3)))
    finally:
        stop.set()
        thread.join()
    assert {item["pid"] for item in items} == {os.getpid()}


def test_beside_runs_the_second_function_in_another_process_at_the_same_time(forking):
    context = multiprocessing.get_context("fork")
    here_started, there_started = context.Event(), context.Event()
    prepared: dict[str, int] = {}

    def here() -> tuple[int, bool]:
        here_started.set()
        return os.getpid(), there_started.wait(30)  # only true if both run at once

    def there() -> tuple[int, bool, int | None]:
        there_started.set()
        return os.getpid(), here_started.wait(30), prepared.get("pid")

    ours, theirs = beside(here, there, in_child=lambda: prepared.update(pid=os.getpid()))
    assert ours == (os.getpid(), True)
    child, saw_here, prepared_in = theirs
    assert child != os.getpid() and saw_here
    assert prepared_in == child and prepared == {}  # in_child ran first, in the child only


def test_beside_raises_the_childs_error_here(forking):
    def there() -> int:
        raise ValueError("no such week")

    with pytest.raises(ValueError, match="no such week"):
        beside(lambda: 1, there)


def test_beside_stops_the_child_when_this_side_fails(forking):
    pids = []
    never = multiprocessing.get_context("fork").Event()

    def there() -> int:
        never.wait(60)  # still busy when this side fails
        return 0

    def here() -> int:
        pids.extend(child.pid for child in multiprocessing.active_children())
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        beside(here, there)
    assert pids and not any(_alive(pid) for pid in pids)


def test_beside_with_other_threads_running_runs_both_in_this_process():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        ours, theirs = beside(os.getpid, os.getpid, in_child=lambda: pytest.fail("not in a child"))
    finally:
        stop.set()
        thread.join()
    assert ours == theirs == os.getpid()
