"""Ctrl-C and SIGTERM while a command is starting: held until it can act on them.

Python turns a Ctrl-C into ``KeyboardInterrupt`` wherever the program happens to be, and a crawl
spends its first seconds importing Scrapy and setting up its components: stopped there, it left
a traceback, and a scheduled crawl's run was recorded ``killed`` with that traceback as its
failure. So SIGINT and SIGTERM are blocked from the program's first moment (``hold``, called by
``python -m newscrawler`` and the ``newscrawler`` script before any import; the scheduler starts
its crawls with them blocked already, ``held``). One that arrives meanwhile waits, pending:

- a command other than ``crawl`` releases them as it starts (``release``), and a pending one
  then acts as it would have: Ctrl-C is click's ``Aborted!``, SIGTERM ends the process;
- a crawl keeps them until its engine runs; a stop asked for meanwhile (``take``) then ends it
  as a Ctrl-C during the crawl does, ``shutdown`` (``extensions.StartingStop``), and from then
  on they reach Scrapy's own handlers. A long wait while it starts (for an archive another
  process holds locked) asks ``pending`` as it waits, and ends when one is held.

``scrapy crawl`` (and so a scrapyd job) calls ``hold`` as it reads the project's settings, the
first of our code it runs (``newscrawler.scrapy_command``), and acts on a held stop as a crawl
above does. A program that did not call ``hold`` (``run_crawl`` called from Python, Scrapy's
other commands) keeps its signals as they are. Standard library only: imported before
everything else.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
# Whether ``hold`` blocked them: ``release`` and ``take`` leave alone a program (``run_crawl``
# called from Python, ``scrapy list``) that did not ask for this.
_holding = False


def hold() -> None:
    """Block SIGINT and SIGTERM in this thread (and the threads and processes it starts)."""
    global _holding
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    _holding = True


def release() -> None:
    """Unblock them: one held meanwhile is delivered now, to the handler in place."""
    global _holding
    if _holding:
        _holding = False
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def take() -> signal.Signals | None:
    """The stop signal held (the first, when both are), taken so that it is not delivered; None
    when none is. Asked twice while held, a signal is held once."""
    taken: signal.Signals | None = None
    while _holding and signal.sigpending() & STOP_SIGNALS:
        info = signal.sigtimedwait(STOP_SIGNALS, 0)
        if info is None:
            break
        taken = taken or signal.Signals(info.si_signo)
    return taken


def pending() -> signal.Signals | None:
    """The stop signal held (SIGINT when both are), left held for ``take``; None when none is:
    for a wait while the crawl starts that a stop should cut short."""
    held = signal.sigpending() & STOP_SIGNALS if _holding else set()
    return signal.Signals(min(held)) if held else None


def discard() -> None:
    """Drop a held stop signal and unblock: what it was to stop has ended already."""
    take()
    release()


@contextmanager
def held() -> Iterator[None]:
    """SIGINT and SIGTERM blocked for the while, as they were afterwards: a child process started
    within starts with them blocked (the signal mask is inherited), and acts on one as above."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
