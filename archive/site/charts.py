"""The rankings chart of the Datasette front end: hot-list ranks over time, drawn by the same code
as ``newscrawler rankings --plot`` (``archive.rankings.history`` and ``archive.rankchart``).

* ``/DB/-/rankings-chart`` is a page with a form (list, period, article, title, since, top), the
  chart, and per list a table of the stories drawn, linked to their article pages.
* ``/DB/-/rankings-chart.svg`` is the chart alone, as SVG, for the same parameters.

The article page links here with ``?article=ID`` and the *Hot lists over time* query with its
list and period. Everything is read through Datasette's read-only connections; without the
``plot`` extra the page still lists the stories and says how to install it.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from datasette.utils.asgi import NotFound, Response
from datasette.version import __version__ as datasette_version

from ..db import Archive
from ..export import MissingDependency
from ..plot import require_matplotlib
from ..rankchart import MAX_PANELS, write
from ..rankings import Board, history

# The parameters the page and the image take, as ``rankings`` names them.
FILTERS = {"portal": "portal", "list": "list_name", "period": "period", "since": "since",
           "article": "article", "title": "title"}
DEFAULT_TOP = 10
MAX_TOP = 30


def chart_filters(args: Any) -> dict[str, Any]:
    """The history filters a request asks for; ValueError when ``top`` is not a number in range."""
    filters: dict[str, Any] = {name: (args.get(arg) or "").strip() or None
                               for arg, name in FILTERS.items()}
    top = (args.get("top") or "").strip()
    if top and not (top.isdigit() and 1 <= int(top) <= MAX_TOP):
        raise ValueError(f"top must be a number from 1 to {MAX_TOP}, not {top!r}")
    filters["top"] = int(top) if top else DEFAULT_TOP
    return filters


def _boards(conn: Any, filters: dict[str, Any]) -> list[Board]:
    # Datasette's read connection; Archive only reads through it here.
    return history(Archive(conn, Path("")), **filters)


async def _read(datasette: Any, request: Any) -> tuple[str, dict[str, Any], list[Board]]:
    """The database, the filters and the boards of a chart request; ValueError for bad input."""
    database = request.url_vars["database"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound(f"no database {database}") from None
    filters = chart_filters(request.args)
    return database, filters, await db.execute_fn(lambda conn: _boards(conn, filters))


def _svg(boards: list[Board]) -> bytes:
    out = io.BytesIO()
    write(boards, out, "svg")
    return out.getvalue()


async def chart_image(datasette: Any, request: Any) -> Response:
    try:
        _, _, boards = await _read(datasette, request)
    except ValueError as exc:
        return Response.text(str(exc), status=400)
    try:
        # Drawing takes a few hundred milliseconds: off the event loop, and off the database's
        # connection threads, which it does not need.
        svg = await asyncio.to_thread(_svg, boards)
    except MissingDependency as exc:
        return Response.text(str(exc), status=501)
    return Response(svg, content_type="image/svg+xml")


async def chart_page(datasette: Any, request: Any) -> Response:
    database: str = request.url_vars["database"]
    error: str | None = None
    filters: dict[str, Any] = {}
    boards: list[Board] = []
    try:
        database, filters, boards = await _read(datasette, request)
    except ValueError as exc:
        error = str(exc)
    missing = None
    try:
        require_matplotlib()
    except MissingDependency as exc:
        missing = str(exc)

    query = request.query_string
    return Response.html(await datasette.render_template(
        "rankings_chart.html",
        {"database": database, "boards": boards[:MAX_PANELS], "left_out": len(boards[MAX_PANELS:]),
         "error": error, "missing": missing, "args": request.args, "filters": filters,
         "image": f"{datasette.urls.database(database)}/-/rankings-chart.svg"
                  + (f"?{query}" if query else ""),
         "datasette_version": datasette_version},
        request=request), status=400 if error else 200)


ROUTES = [
    (r"^/(?P<database>[^/]+)/-/rankings-chart\.svg$", chart_image),
    (r"^/(?P<database>[^/]+)/-/rankings-chart$", chart_page),
]
