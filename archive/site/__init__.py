"""Datasette as a research front end for an archive: the plugin ``newscrawler serve`` loads.

* The home page leads with a search form (``templates/index.html``) that runs the canned
  ``search`` query of ``archive/datasette-metadata.json``.
* ``/DB/articles/ID`` is the article's page (``templates/article.html``): its current record,
  every version, every capture with where its WARC record is, and the hot lists it was on.
  The same URL with ``.json`` is still Datasette's row, so the JSON API is unchanged, and every
  link Datasette draws to an article (``versions.article_id``, ``captures.article_id`` …) lands
  on the page.
* In query results, article ids and headlines link to that page, and the ``[`` ``]`` marks of
  a search snippet are shown highlighted.
* ``/DB/-/rankings-chart`` charts hot-list ranks over time (``charts.py``); the article page of
  an article that was on a hot list and the *Hot lists over time* query link to it.

Everything is read: Datasette opens the archive read-only for queries, and the article page
reads through the same connections. ``archive.serve.app`` and ``archive.serve.serve`` register
this plugin; nothing here is imported until Datasette is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from datasette.version import __version__ as datasette_version
from markupsafe import Markup, escape

from ..db import Archive
from ..query import article
from ..serve import register_functions
from .charts import ROUTES

TEMPLATES = Path(__file__).with_name("templates")
# Columns of query results that hold an article id, whatever query they come from.
ARTICLE_ID_COLUMNS = ("article_id", "target_article_id")
# The tables a researcher starts from, first on the home page; the others follow in the order
# the metadata describes them.
LEADING = ("articles", "articles_flat", "article_people", "ranking_history", "versions", "captures")
_MARKED = re.compile(r"\[([^\[\]]+)\]")


def _article_data(conn: Any, article_id: int) -> dict[str, Any] | None:
    # Datasette's read connection; Archive only reads through it here.
    archive = Archive(conn, Path(""))
    found = article(archive, article_id)
    if found is None:
        return None
    found["rankings"] = [dict(zip(("list", "period", "rank", "first_seen", "last_seen", "snapshots"),
                                  row, strict=True)) for row in conn.execute(
        "SELECT list, period, min(rank), min(fetched_at), max(fetched_at),"
        " count(DISTINCT fetched_at) FROM rankings WHERE target_article_id = ?"
        " GROUP BY list, period ORDER BY list, period", (found["article"]["id"],))]
    return found


async def article_page(datasette: Any, request: Any) -> Response:
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"no database {database}") from None
    article_id = int(request.url_vars["id"])
    found = await db.execute_fn(lambda conn: _article_data(conn, article_id))
    if found is None:
        raise NotFound(f"no article {article_id}")
    return Response.html(await datasette.render_template(
        "article.html", {"database": database, "found": found, "record": found["record"],
                         "row": found["article"], "datasette_version": datasette_version},
        request=request))


@hookimpl
def prepare_connection(conn: Any) -> None:
    # The canned search's newest-first page (archive.serve.front_end_sql).
    register_functions(conn)


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [(r"^/(?P<database>[^/]+)/articles/(?P<id>\d+)$", article_page), *ROUTES]


def _article_link(datasette: Any, database: str, article_id: Any, text: Any) -> Markup:
    url = datasette.urls.row(database, "articles", str(article_id))
    return Markup('<a href="{}">{}</a>').format(url, text)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | None:
    if table is not None or value is None:
        return None  # table pages: Datasette's own links are right
    keys = row.keys()
    is_article = "canonical_url" in keys and "id" in keys
    if column in ARTICLE_ID_COLUMNS and isinstance(value, int):
        return _article_link(datasette, database, value, value)
    if is_article and column in ("id", "headline"):
        return _article_link(datasette, database, row["id"], value)
    if column == "snippet" and isinstance(value, str):
        return Markup(_MARKED.sub(lambda m: Markup("<mark>{}</mark>").format(m.group(1)),
                                  str(escape(value))))
    return None


@hookimpl
def extra_template_vars(view_name: str, datasette: Any, request: Any) -> Any:
    if view_name != "index":
        return None

    async def queries_and_tables() -> dict[str, Any]:
        actor = request.actor if request else None
        queries, tables = {}, {}
        for name, db in datasette.databases.items():
            if name == "_internal":
                continue
            queries[name] = await datasette.get_canned_queries(name, actor)
            hidden = set(await db.hidden_table_names())
            present = [t for t in [*await db.table_names(), *await db.view_names()]
                       if t not in hidden]
            described = list((datasette.metadata(database=name) or {}).get("tables", {}))
            tables[name] = sorted(present, key=lambda t: (
                LEADING.index(t) if t in LEADING else len(LEADING),
                described.index(t) if t in described else len(described), t))
        return {"canned_queries": queries, "archive_tables": tables}

    return queries_and_tables
