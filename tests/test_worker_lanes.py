"""The order in which the crawl's worker runs the calls it receives (``newscrawler.worker_process``):
the download path's calls (WARC records) before reading and archiving, each kind in the order
sent, between the pages of an archive batch too; ``stop`` after everything sent before it; and
when the crawl's process is gone, what it sent is still run."""

from __future__ import annotations

import queue
from typing import Any

import pytest

from newscrawler import worker_process


class Pipe:
    """The worker's end of the pipe: what it sends back."""

    def __init__(self) -> None:
        self.sent: list[list[tuple[int, bool, Any]]] = []

    def send(self, answers: list[tuple[int, bool, Any]]) -> None:
        self.sent.append(answers)


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call runs as one that notes its name and argument."""
    order: list[str] = []
    for name in ("extract", "archive_add_one", "warc_exchange", "warc_metadata"):
        monkeypatch.setitem(worker_process.CALLS, name,
                            lambda value, name=name: order.append(f"{name} {value}"))
    monkeypatch.setattr(worker_process, "_close_all", lambda: order.append("closed"))
    return order


def _serve(messages: list[list[Any] | None], during: Any = None) -> Pipe:
    calls: queue.SimpleQueue[list[Any] | None] = queue.SimpleQueue()
    for message in messages:
        calls.put(message)
    pipe = Pipe()
    loop = worker_process._Loop(pipe, calls)  # type: ignore[arg-type]
    worker_process._state["between"] = loop.download_path
    try:
        loop.run()
    finally:
        worker_process._state.pop("between", None)
    return pipe


def test_the_download_path_goes_first_and_each_kind_in_the_order_sent(ran: list[str]) -> None:
    pipe = _serve([
        [(1, "extract", ("a",)), (2, "warc_exchange", ("b",)), (3, "archive_add_one", ("a",))],
        [(4, "warc_exchange", ("c",)), (5, "extract", ("b",)), (6, "warc_metadata", ("a",))],
        [(7, "stop", ())],
    ])
    assert ran == ["warc_exchange b", "warc_exchange c", "warc_metadata a", "extract a",
                   "archive_add_one a", "extract b", "closed"]
    answered = [number for answers in pipe.sent for number, ok, _ in answers if ok]
    assert sorted(answered) == [1, 2, 3, 4, 5, 6, 7]
    assert answered[-1] == 7  # stop is answered last, with how the worker was fed
    assert pipe.sent[-1][-1][2]["calls"] == 7


def test_an_archive_batch_lets_the_download_path_run_between_its_pages(
    ran: list[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    later: list[Any] = []

    def add_captures(run_id: int, pages: Any) -> list[str]:
        outcomes = []
        for number, page in enumerate(pages):
            if number == 0:  # a response comes while the batch is being written
                later[0].put([(2, "warc_exchange", ("b",))])
            ran.append(f"page {page[0]}")
            outcomes.append("new")
        return outcomes

    class Archive:
        pass

    archive = Archive()
    archive.add_captures = add_captures  # type: ignore[attr-defined]
    monkeypatch.setitem(worker_process._state, "archive", archive)
    calls: queue.SimpleQueue[list[Any] | None] = queue.SimpleQueue()
    later.append(calls)
    calls.put([(1, "archive_add", (7, [("p1", None, None), ("p2", None, None)]))])
    calls.put([(3, "stop", ())])
    pipe = Pipe()
    loop = worker_process._Loop(pipe, calls)  # type: ignore[arg-type]
    monkeypatch.setitem(worker_process._state, "between", loop.download_path)
    loop.run()
    assert ran == ["page p1", "warc_exchange b", "page p2", "closed"]
    # The response's answer did not wait for the batch's.
    assert [number for number, _, _ in pipe.sent[0]] == [2]
    assert pipe.sent[1][0] == (1, True, ["new", "new"])


def test_calls_sent_before_the_crawl_went_are_run(ran: list[str]) -> None:
    pipe = _serve([[(1, "archive_add_one", ("a",)), (2, "warc_exchange", ("a",))], None])
    assert ran == ["warc_exchange a", "archive_add_one a", "closed"]
    assert sorted(number for answers in pipe.sent for number, _, _ in answers) == [1, 2]


def test_once_the_crawl_went_the_calls_only_it_could_use_are_skipped(ran: list[str]) -> None:
    # An extraction's record is only ever archived by a call sent once it was answered: with no
    # one left to answer, only what stores something runs (a crawl stopped by force waits on it).
    _serve([[(1, "extract", ("a",)), (2, "archive_add_one", ("b",))], None])
    assert ran == ["archive_add_one b", "closed"]


def test_a_call_that_cannot_be_pickled_fails_alone() -> None:
    import threading

    from twisted.internet.defer import Deferred

    from newscrawler.worker import CrawlWorker

    crawl = CrawlWorker.__new__(CrawlWorker)  # its side alone: no process, no threads
    crawl.outgoing = queue.SimpleQueue()
    crawl.lock = threading.Lock()
    crawl.pending = {1: Deferred(), 2: Deferred()}
    crawl.sent_at = {1: ("extract", 0.0), 2: ("extract", 0.0)}
    crawl.outbox = [(1, "extract", ("a",)), (2, "extract", (lambda: None,))]
    failures: list[Any] = []
    crawl.pending[2].addErrback(failures.append)
    crawl._send()
    _, numbers = crawl.outgoing.get_nowait()
    assert numbers == [1] and crawl.outgoing.empty()
    assert len(failures) == 1 and 2 not in crawl.pending and 1 in crawl.pending
    assert list(crawl.sent_at) == [1]
