"""``scrapy crawl`` (and scrapyd's runner, which goes through it) with bad input refused up front.

Scrapy creates the spider inside the running crawl, so a spider argument it cannot read
(``-a since=2022-13-45``) or a setting the logging setup rejects (``-s LOG_LEVEL=x``) ends the
command with a traceback from deep inside Scrapy. This command checks both first, with the same
readers the crawl uses, and ends with Scrapy's own usage error (one line, exit code 2).

Ctrl-C and SIGTERM are held while the crawl starts (``newscrawler.scrapy_command``); a crawl
whose engine never ran drops one held meanwhile (there is nothing left to stop) and lets the
next one act at once.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spiderloader import get_spider_loader

from .. import stopsignals
from ..params import check_setting


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in self.settings.items():
            if isinstance(value, str) and self.settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]:
                try:
                    check_setting(name, value)
                except ValueError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        if len(args) != 1:
            return  # run() gives Scrapy's own usage error
        try:
            spidercls = get_spider_loader(self.settings).load(args[0])
        except KeyError:
            return  # run() reports the unknown spider as Scrapy does
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            try:
                check(**opts.spargs)
            except (ValueError, KeyError) as exc:
                message = exc.args[0] if exc.args else str(exc)
                raise UsageError(f"-a: {message}", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            super().run(args, opts)
        finally:
            # Released already once the engine ran (``extensions.StartingStop``).
            stopsignals.discard()
