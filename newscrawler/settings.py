"""Scrapy settings for newscrawler: polite by default.

Settings of our own are prefixed ``NEWSCRAWLER_`` and documented here; components read them in
their ``__init__``, never at import time.

- ``NEWSCRAWLER_CONTACT``: how a site operator reaches whoever runs the crawl (an e-mail or URL).
  It goes into the User-Agent; set it for every live crawl (``newscrawler crawl --contact``).
- ``NEWSCRAWLER_ARCHIVE``: the SQLite archive file to write (``newscrawler crawl --db``).
- ``NEWSCRAWLER_ARCHIVE_BATCH``: pages written to the archive in one transaction, at most
  (default 50; 1 writes each page on its own). A page counts as done (and a resumable crawl
  remembers it) only once its transaction has committed.
- ``NEWSCRAWLER_ARCHIVE_BATCH_SECONDS``: the longest a page waits for its transaction (default
  0.25); a crawl killed loses at most the pages of the batch being filled, fetched again when
  it resumes.
- ``NEWSCRAWLER_ARCHIVE_CACHE_MB``: SQLite's page cache for the crawl's archive connection, in
  MiB (default 64). It fills over the first few thousand pages and then stays at this size, so
  it is most of what a long crawl's memory grows by (``benchmarks/README.md``, crawl_memory.py);
  a smaller cache reads more index pages back from disk as the archive grows.
- ``NEWSCRAWLER_OUTPUT``: a JSON Lines file receiving one record per article.
- ``NEWSCRAWLER_REPLAY_DIR``: serve this fixture tree on a loopback HTTP server and fetch every
  URL of the portal from it instead of the network (offline crawls and tests).
- ``NEWSCRAWLER_REPLAY_LOG``: append one JSON line per request the replay server answered.
- ``NEWSCRAWLER_WARC_ENABLED``: write every HTTP exchange to WARC files (default on).
- ``NEWSCRAWLER_WARC_DIR``: where; default ``warc/`` beside the archive file.
- ``NEWSCRAWLER_WARC_MAX_SIZE``: roll over to a new WARC file at this size (bytes or "1GB").
- ``NEWSCRAWLER_REPLAY_WARC``: answer every request from these WARC files (a file or directory).
- ``NEWSCRAWLER_RETRY_AFTER_MAX``: longest ``Retry-After`` (seconds) we wait for; longer is a failure.
- ``NEWSCRAWLER_RECRAWL``: which articles the archive already holds are fetched again
  (``newscrawler.incremental``): ``policy`` (default; the two settings below), ``watch``
  (``NEWSCRAWLER_RECRAWL_WATCH``), ``all`` or ``none`` (``newscrawler crawl --recrawl``).
  Listing pages are always fetched.
- ``NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS``: articles published less than this many days ago (default
  7) are fetched again, conditionally, to catch corrections; older ones never.
- ``NEWSCRAWLER_RECRAWL_INTERVAL_HOURS``: at most this often (default 24).
- ``NEWSCRAWLER_RECRAWL_WATCH``: with ``NEWSCRAWLER_RECRAWL = "watch"``, how often an article is
  checked by age: ``AGE_DAYS:EVERY_DAYS`` bands, the last ``*`` (default ``"7:1,30:7,365:30,*:91"``).
- ``NEWSCRAWLER_RECRAWL_UNLISTED``: archived articles due for a revisit are requested even when
  no listing links to them any more (default True).
- ``NEWSCRAWLER_REMOVAL_CONFIRM_HOURS``: an archived article is ``removed`` once a second sign of
  its removal (a 404 or 410, a redirect to a home or channel page, a soft 404) comes at least
  this many hours after the first (default 24; 0: any second sign). See docs/changes.md.
- ``JOBDIR`` (Scrapy's): where a crawl keeps its state so that a crawl stopped at any moment,
  even killed, resumes when run again (``newscrawler.resume``); ``newscrawler crawl`` sets
  ``jobs/<portal>/`` beside the archive (``--job-dir``).
- ``NEWSCRAWLER_PROGRESS``: a live progress line on the terminal (``newscrawler.progress``):
  ``auto`` (default: when standard output is a terminal), ``on`` or ``off``.
- ``NEWSCRAWLER_FALLBACK``: read the fields a portal profile's selectors miss with the generic
  extractor (default on; ``newscrawler.extract.fallback``, ``docs/fallback.md``). Off, a
  profile's records hold only what its selectors read, and pages whose body they miss get none.
- ``NEWSCRAWLER_ACCOUNTING_ENABLED``: reconcile the crawl's pages at its end (default on): every
  page fetched is archived or counted as a failure with its reason, and a crawl that lost one
  ends ``failed`` (``newscrawler.accounting``).
- ``NEWSCRAWLER_WORKER``: read pages (extraction, normalisation) and write the archive and the
  WARC files in a worker process beside the crawl's own (``newscrawler.worker``): a crawl then
  uses two cores rather than one. Default: on when the crawl may use more than one core (with
  one, the worker would only add the cost of passing pages between processes). Off, all of it
  runs on the crawl's thread.
- ``NEWSCRAWLER_GC_TUNING``: keep Python's garbage collector off the objects the crawl starts with
  (``gc.freeze()``) and collect its youngest generation less often (``newscrawler.heap``;
  default on): each full collection would walk them all, and most young objects die anyway.
- ``NEWSCRAWLER_RUN_TAG``: an opaque label kept with the run's settings in the archive; the
  scheduler (``newscrawler.operate.schedule``) finds the run of a crawl it started by it.
"""

import os

from newscrawler import __version__
from newscrawler.scrapy_command import hold_for_crawl

# First of all: ``scrapy crawl`` (and a scrapyd job) reads these settings before anything else of
# ours, and a Ctrl-C or SIGTERM from now on waits for the crawl to run (newscrawler.scrapy_command).
hold_for_crawl()

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["newscrawler.spiders.portal"]
NEWSPIDER_MODULE = "newscrawler.spiders"
# `scrapy crawl` refuses unreadable spider arguments and settings before the crawl starts.
COMMANDS_MODULE = "newscrawler.commands"

# --- Politeness -----------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
# Robots rules are matched against the product token, not the full User-Agent string.
ROBOTSTXT_USER_AGENT = "newscrawler"
NEWSCRAWLER_CONTACT = ""
USER_AGENT = f"newscrawler/{__version__} (+https://pypi.org/project/newscrawler/)"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# News pages are small; a page over 20 MB is an error page or a trap.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
NEWSCRAWLER_RETRY_AFTER_MAX = 600
NEWSCRAWLER_WARC_ENABLED = True
NEWSCRAWLER_WARC_DIR = ""
NEWSCRAWLER_WARC_MAX_SIZE = 1_000_000_000
NEWSCRAWLER_REPLAY_WARC = ""
NEWSCRAWLER_PROGRESS = "auto"
NEWSCRAWLER_FALLBACK = True
NEWSCRAWLER_ACCOUNTING_ENABLED = True
NEWSCRAWLER_WORKER = len(os.sched_getaffinity(0)) > 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) > 1
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # Ours replaces Scrapy's: same retries, plus Retry-After honoured.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawler.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "newscrawler.middlewares.ContactUserAgentMiddleware": 500,
    # Ours replace Scrapy's: a redirect to the same page is followed, the others are counted.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawler.redirects.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawler.redirects.MetaRefreshMiddleware": 580,
    # Below HttpCompressionMiddleware (590): records bodies as received, before decoding.
    "newscrawler.warc.capture.WarcCaptureMiddleware": 950,
}
EXTENSIONS = {
    # Ours replaces Scrapy's: feeds (-o out.jsonl, scrapyd's items) get the article records.
    "scrapy.extensions.feedexport.FeedExporter": None,
    "newscrawler.feeds.RecordFeedExporter": 0,
    # After CoreStats (0): a crawl that lost pages ends "failed", whatever Scrapy's reason.
    "newscrawler.accounting.PageAccounting": 5,
    # After AutoThrottle (0), so that its floor is applied after AutoThrottle adjusts a delay.
    "newscrawler.extensions.CrawlDelay": 10,
    # A crawl stopped by force (a second Ctrl-C) ends "killed", its worker and archive run too.
    "newscrawler.extensions.ForcedStop": 20,
    # After ForcedStop, which must hear of the engine's start before this may stop it.
    "newscrawler.extensions.StartingStop": 25,
    # First of all: the worker process is forked before any component starts a thread, and
    # after the start-up heap is frozen (so that the fork shares it).
    "newscrawler.heap.CollectorTuning": -20,
    "newscrawler.worker.StartWorker": -10,
    # Off unless standard output is a terminal (NEWSCRAWLER_PROGRESS); LogStats logs either way.
    "newscrawler.progress.Progress": 500,
}
# Network, fixture replay (NEWSCRAWLER_REPLAY_DIR) or WARC replay (NEWSCRAWLER_REPLAY_WARC).
DOWNLOAD_HANDLERS = {
    "http": "newscrawler.warc.replay.WarcReplayDownloadHandler",
    "https": "newscrawler.warc.replay.WarcReplayDownloadHandler",
}
# Scrapy starts this many workers (asyncio tasks) for every response to handle what its callback
# yields; ours yields one item and some requests, so Scrapy's default of 100 mostly made tasks.
CONCURRENT_ITEMS = 16
# Named as the package exports them, not by their modules: Scrapy tells pipelines apart by these
# strings, so a project's settings that switch one off (None) or move it by this name must match.
ITEM_PIPELINES = {
    "newscrawler.pipelines.ExtractionPipeline": 100,
    "newscrawler.pipelines.NormalisationPipeline": 200,
    "newscrawler.pipelines.ValidationPipeline": 300,
    "newscrawler.pipelines.SincePipeline": 400,
    "newscrawler.pipelines.RemovalPipeline": 500,
    "newscrawler.pipelines.ArchivePipeline": 700,
    "newscrawler.pipelines.JsonLinesOutputPipeline": 800,
}
NEWSCRAWLER_ARCHIVE_BATCH = 50
NEWSCRAWLER_ARCHIVE_BATCH_SECONDS = 0.25
NEWSCRAWLER_ARCHIVE_CACHE_MB = 64
NEWSCRAWLER_RECRAWL = "policy"
NEWSCRAWLER_RECRAWL_MAX_AGE_DAYS = 7
NEWSCRAWLER_RECRAWL_INTERVAL_HOURS = 24
NEWSCRAWLER_RECRAWL_UNLISTED = True
NEWSCRAWLER_RECRAWL_WATCH = "7:1,30:7,365:30,*:91"
NEWSCRAWLER_REMOVAL_CONFIRM_HOURS = 24
# With JOBDIR: a killed crawl resumes without losing pages whose items were not yet archived.
SCHEDULER = "newscrawler.resume.ResumableScheduler"
DUPEFILTER_CLASS = "newscrawler.resume.ArchivedDupeFilter"
# www. and m. twins of an article are one request: the fingerprint uses the canonical URL.
REQUEST_FINGERPRINTER_CLASS = "newscrawler.fingerprint.CanonicalRequestFingerprinter"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
