"""Ctrl-C and SIGTERM held while ``scrapy crawl`` (and so a scrapyd job) starts, as for
``newscrawler crawl``.

Scrapy's command line (``scrapy.cmdline.execute``: the ``scrapy`` script, and scrapyd's runner,
which cancels a job by SIGINT) first reads the project's settings, importing the settings module
scrapy.cfg names: the first of our code such a crawl runs. ``hold_for_crawl`` is called there and
holds the stop signals (``stopsignals.hold``) when the command being started is a crawl, whose
``StartingStop`` extension acts on a stop held meanwhile once its engine runs. Every other
command (``scrapy list``, ``shell``, ``check``...) keeps its signals as they are: nothing of it
would release them, and its Ctrl-C must work at once. Standard library only, and cheap: it runs
before Scrapy has built anything of the crawl.
"""

from __future__ import annotations

import sys
from types import FrameType

from . import stopsignals

# The commands that run a crawl of this project (``runspider`` too, inside the project: it uses
# the project's settings, with their extensions).
CRAWL_COMMANDS = frozenset({"crawl", "runspider"})


def scrapy_command(frame: FrameType | None = None) -> str | None:
    """The command Scrapy's command line is starting when it is what runs this (found on the call
    stack, from ``frame`` or the caller's up); None when this does not run within it."""
    frame = frame if frame is not None else sys._getframe(1)
    while frame is not None:
        if _is_execute(frame):
            argv = frame.f_locals.get("argv")
            if not isinstance(argv, list):
                argv = sys.argv
            # As Scrapy finds it (``scrapy.cmdline._pop_command_name``): the first word that is
            # not an option. Asked before Scrapy takes it out of ``argv``, as when it reads the
            # project settings; later, this finds the spider's name, not a crawl command.
            return next((arg for arg in argv[1:] if not arg.startswith("-")), None)
        frame = frame.f_back
    return None


def _is_execute(frame: FrameType) -> bool:
    if frame.f_code.co_name != "execute":
        return False
    spec = frame.f_globals.get("__spec__")
    # ``python -m scrapy.cmdline`` runs it as ``__main__``: its spec keeps the module's name.
    return "scrapy.cmdline" in (frame.f_globals.get("__name__"), getattr(spec, "name", None))


def hold_for_crawl() -> None:
    """Hold the stop signals when Scrapy's command line is starting a crawl; otherwise nothing."""
    if scrapy_command(sys._getframe(1)) in CRAWL_COMMANDS:
        stopsignals.hold()
