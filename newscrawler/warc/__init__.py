"""Archival captures in WARC/1.1 (ISO 28500), and crawls replayed from them.

Every HTTP exchange of a crawl is written as it came over the wire (before Scrapy decodes gzip)
to gzipped WARC files with a CDXJ index beside each; article pages get a ``metadata`` record
(outlinks, extractor and its version); a page whose payload is unchanged since an earlier capture
of its URL in the same directory is written as a ``revisit`` record. A crawl can then be run again
from those files, through the whole Scrapy engine, with no network. ``docs/warc.md`` tells more,
including how to open the files in pywb or ReplayWeb.page.

- ``writer.py`` / ``index.py``: files, records, rollover, CDXJ (no Scrapy).
- ``capture.py``: ``WarcCaptureMiddleware``, the downloader middleware that writes.
- ``replay.py``: ``WarcReplayDownloadHandler``, the download handler that reads.

Switching it on (``settings.py``)::

    DOWNLOADER_MIDDLEWARES = {..., "newscrawler.warc.capture.WarcCaptureMiddleware": 950}
    DOWNLOAD_HANDLERS = {"http": "newscrawler.warc.replay.WarcReplayDownloadHandler",
                         "https": "newscrawler.warc.replay.WarcReplayDownloadHandler"}

Settings:

- ``NEWSCRAWLER_WARC_ENABLED`` (default ``True``): write WARC files for every crawl.
- ``NEWSCRAWLER_WARC_DIR``: where they go; default ``warc/`` beside ``NEWSCRAWLER_ARCHIVE``
  (``data/warc/`` for the default archive), ``data/warc/`` when there is no archive.
- ``NEWSCRAWLER_WARC_MAX_SIZE`` (default 1 GB): a file that reaches this many bytes is closed and
  the next record opens a new one. Bytes, or a string with a decimal unit (``"100MB"``, ``"1GB"``).
- ``NEWSCRAWLER_REPLAY_WARC``: a ``.warc.gz`` file or a directory of them; every request is
  answered from those captures instead of the network; a URL never captured is not answered (the
  request fails, counted as ``not_captured``: no 404 is made up). A damaged record fails its
  request (the rest of its file is replayed), a damaged file without an index is replayed but for
  its damaged records (reading goes on past each); both are named in the log and the crawl's
  summary, and the crawl exits 1.

Each response carries where its record is on ``response.meta``: ``warc_filename`` and
``warc_offset`` (plus ``warc_record_id`` and ``warc_record_type`` when it was just written).
"""

from pathlib import Path

from .index import CaptureIndex, surt
from .writer import Exchange, WarcFileSet


def is_warc_source(path: Path) -> bool:
    """A WARC file, or a directory of WARC files (not a fixture tree with pages in it): what a
    replay source must be to be read as ``NEWSCRAWLER_REPLAY_WARC`` rather than ``_REPLAY_DIR``."""
    if path.is_file():
        return path.name.endswith((".warc", ".warc.gz"))
    return any(path.glob("*.warc.gz")) or any(path.glob("*.warc"))


__all__ = ["CaptureIndex", "Exchange", "WarcFileSet", "is_warc_source", "surt"]
