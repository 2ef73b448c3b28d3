"""newscrawler: archive Chinese news portals into structured, normalised records.

The package follows Scrapy's project layout (settings, items, pipelines, middlewares, spiders) and
adds ``portals/`` (one declarative profile per portal) and ``extract/`` (the pure extraction
function every caller shares).
"""

__version__ = "0.1.0"
