"""Item pipelines, in order: extraction, normalisation, validation, then output.

Each does one job and says why it drops an item. Stats keys name their component
(``newscrawler/validate/missing/editors``; ``newscrawler/extract/fallback/paragraphs`` for a field
the profile missed and the generic extractor read). Enabled in ``settings.ITEM_PIPELINES``; the
output pipelines switch themselves on from their settings:

- ``NEWSCRAWLER_ARCHIVE`` (path): ``ArchivePipeline`` stores every fetched page (articles,
  listings, HTTP errors) as a capture and every record as an article version, in the SQLite
  archive (the ``archive`` package). ``newscrawler crawl`` sets it by default (``--db``).
- ``NEWSCRAWLER_OUTPUT`` (path): ``JsonLinesOutputPipeline`` appends one record per line.

Modules, by concern:

- ``stages.py``: the record stages, each reading or judging the page's record: extraction,
  normalisation, validation, the ``since`` date, signs of removal.
- ``archive.py``: ``ArchivePipeline``, pages and records written to the archive in batches.
- ``output.py``: ``JsonLinesOutputPipeline``, records appended to the ``NEWSCRAWLER_OUTPUT`` file.

``settings.ITEM_PIPELINES`` names each class as this package exports it
(``newscrawler.pipelines.<class>``), as other projects' settings may.
"""

from .archive import ArchivePipeline
from .output import JsonLinesOutputPipeline
from .stages import (
    ExtractionPipeline,
    NormalisationPipeline,
    RemovalPipeline,
    SincePipeline,
    ValidationPipeline,
)

__all__ = ["ArchivePipeline", "ExtractionPipeline", "JsonLinesOutputPipeline", "NormalisationPipeline",
           "RemovalPipeline", "SincePipeline", "ValidationPipeline"]
