"""Reading articles back: records, filters and statistics (hot lists: ``archive/rankings.py``)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .jsoncolumns import decode
from .urls import articles_by_key, articles_by_url, url_key
from .writer import utc_iso

if TYPE_CHECKING:
    from .db import Archive

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# A search hit's article columns, from ``search JOIN articles a``, in the order
# ``archive.search.search`` unpacks them (the rank follows).
HIT_COLUMNS = "a.id, a.canonical_url, a.portal, a.headline, a.published_at, a.source, a.current_version_id"
HIT_FROM = "FROM search JOIN articles a ON a.id = search.rowid"


@dataclass
class ArticleFilter:
    """Filters shared by search, export and stats. Empty fields do not filter."""

    portal: str | None = None
    since: str | None = None
    until: str | None = None
    reporter: str | None = None
    editor: str | None = None
    source: str | None = None

    def where(self, alias: str = "a") -> tuple[list[str], list[Any]]:
        """SQL conditions on an ``articles`` alias, and their parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.portal:
            clauses.append(f"{alias}.portal = ?")
            params.append(self.portal)
        for value, op in ((self.since, ">="), (self.until, "<=")):
            if value:
                column, bound = time_bound(value)
                clauses.append(f"{column.format(a=alias)} {op} ?")
                params.append(bound)
        # Names match in either script and case, as search words do (newscrawler_fold: Archive).
        if self.source:
            clauses.append(f"instr(newscrawler_fold({alias}.source), newscrawler_fold(?)) > 0")
            params.append(self.source)
        for kind, name in (("reporter", self.reporter), ("editor", self.editor)):
            if name:
                clauses.append(
                    f"EXISTS (SELECT 1 FROM people p WHERE p.version_id = {alias}.current_version_id"
                    " AND p.kind = ? AND instr(newscrawler_fold(p.name), newscrawler_fold(?)) > 0)"
                )
                params += [kind, name]
        return clauses, params


@dataclass
class CaptureFilter:
    """Which article captures to read back: portal, and fetch time (a bare date is the UTC
    date of the fetch, inclusive; a full time needs an offset)."""

    portal: str | None = None
    since: str | None = None
    until: str | None = None

    def where(self) -> tuple[list[str], list[Any]]:
        """SQL conditions on ``captures c`` joined with ``runs r``, and their parameters.

        A capture the crawl took as a sign of the article's removal (a "页面不存在" page served
        with a 200) is evidence, not the article: it is never read back as a version of it."""
        clauses = ["c.kind = 'article'", "c.status BETWEEN 200 AND 299", "c.removal IS NULL"]
        params: list[Any] = []
        if self.portal:
            clauses.append("r.portal = ?")
            params.append(self.portal)
        for value, op in ((self.since, ">="), (self.until, "<=")):
            if not value:
                continue
            is_date, bound = parse_bound(value)
            clauses.append(f"substr(c.fetched_at, 1, 10) {op} ?" if is_date else f"c.fetched_at {op} ?")
            params.append(bound)
        return clauses, params


def parse_bound(value: str) -> tuple[bool, str]:
    """A ``--since``/``--until`` bound: (True, the date) for a calendar date ``YYYY-MM-DD``,
    (False, the time in UTC) for an ISO 8601 time with an offset; ``ValueError`` otherwise.

    Checked here rather than left to SQL: 2022-13-45 compares as a string like any date, and a
    filter that silently matches everything or nothing is worse than an error.
    """
    if _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"bad date {value!r}: no such day") from exc
        return True, value
    try:
        return False, utc_iso(value)
    except ValueError as exc:
        raise ValueError(
            f"bad time {value!r}: expected YYYY-MM-DD or an ISO 8601 time with offset"
        ) from exc


def time_bound(value: str) -> tuple[str, str]:
    """The column and value to compare a ``--since``/``--until`` bound with.

    A bare date is the portal's local publication date (what a reader of the page sees, and
    inclusive at both ends); a full time must carry an offset and is compared in UTC.
    """
    is_date, bound = parse_bound(value)
    return ("substr({a}.published_at, 1, 10)" if is_date else "{a}.published_utc"), bound


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def _people(conn: sqlite3.Connection, version_id: int, kind: str) -> list[dict[str, Any]]:
    return _rows(
        conn,
        "SELECT role, name FROM people WHERE version_id = ? AND kind = ? ORDER BY position",
        (version_id, kind),
    )


def version_content(conn: sqlite3.Connection, version_id: int) -> dict[str, Any]:
    """The stored content of a version (the record without its capture-bound keys)."""
    found = _rows(conn, "SELECT * FROM versions WHERE id = ?", (version_id,))
    if not found:
        raise KeyError(f"no version {version_id}")
    v = found[0]
    return {
        "canonical_url": v["canonical_url"],
        "portal": v["portal"],
        "article_id": v["portal_article_id"],
        "headline": v["headline"],
        "kicker": v["kicker"],
        "subtitle": v["subtitle"],
        "published_at": v["published_at"],
        "published_at_raw": v["published_at_raw"],
        "source": v["source"],
        "paper": v["paper"],
        "edition_date": v["edition_date"],
        "page": v["page"],
        "reporters": _people(conn, version_id, "reporter"),
        "editors": _people(conn, version_id, "editor"),
        "paragraphs": [r[0] for r in conn.execute(
            "SELECT text FROM paragraphs WHERE version_id = ? ORDER BY position", (version_id,))],
        "images": _rows(conn, "SELECT url, caption FROM images WHERE version_id = ?"
                        " ORDER BY position", (version_id,)),
        "script": v["script"],
        "encoding": v["encoding"],
        "extractor": v["extractor"],
        "first_seen": v["first_seen"],
        "last_seen": v["last_seen"],
        "url": v["url"],
    }


def version_record(conn: sqlite3.Connection, version_id: int) -> dict[str, Any]:
    """The full record as the crawler produced it at the latest capture of this version."""
    content = version_content(conn, version_id)
    capture = _rows(
        conn,
        "SELECT id, url, fetched_at, comments, warnings FROM captures WHERE version_id = ?"
        " ORDER BY fetched_at DESC, id DESC LIMIT 1",
        (version_id,),
    )
    cap = capture[0] if capture else None
    rankings = related = []
    if cap:
        rankings = _rows(conn, "SELECT list, period, rank, title, url FROM rankings"
                         " WHERE capture_id = ? ORDER BY id", (cap["id"],))
        related = _rows(conn, "SELECT list, title, url FROM related WHERE capture_id = ?"
                        " ORDER BY id", (cap["id"],))
    return {
        "url": cap["url"] if cap else content["url"],
        "canonical_url": content["canonical_url"],
        "portal": content["portal"],
        "article_id": content["article_id"],
        "headline": content["headline"],
        "kicker": content["kicker"],
        "subtitle": content["subtitle"],
        "published_at": content["published_at"],
        "published_at_raw": content["published_at_raw"],
        "source": content["source"],
        "paper": content["paper"],
        "edition_date": content["edition_date"],
        "page": content["page"],
        "reporters": content["reporters"],
        "editors": content["editors"],
        "paragraphs": content["paragraphs"],
        "images": content["images"],
        "rankings": rankings,
        "related": related,
        "comments": json.loads(cap["comments"]) if cap and cap["comments"] else None,
        "script": content["script"],
        "encoding": content["encoding"],
        "fetched_at": cap["fetched_at"] if cap else content["last_seen"],
        "extractor": content["extractor"],
        "warnings": json.loads(cap["warnings"]) if cap and cap["warnings"] else [],
    }


_SQLITE_MIN, _SQLITE_MAX = -(2**63), 2**63 - 1


class AmbiguousArticle(ValueError):
    """A portal's own article id that articles of several portals have: the message names each
    as ``PORTAL:ID``, the form that tells them apart."""


# ``PORTAL:ID``, a portal's own id of one of its articles (``zjdaily:2953118``); a URL's scheme
# is followed by "//", which no portal's id starts with.
_PORTAL_REF = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*):(?!//)(.+)")


def find_article_id(conn: sqlite3.Connection, ref: int | str) -> int | None:
    """An article id from an id, a canonical URL, any www./m. twin of it, a fetched URL, or the
    portal's own id of the article (the record's ``article_id``): ``PORTAL:ID``, or the id alone
    when it is no archive id and one article has it. ``AmbiguousArticle`` when the id alone is
    the id of articles of several portals."""
    if isinstance(ref, int) or str(ref).isdigit():
        try:
            number = int(ref)
        except ValueError:  # digits int() does not read (²): no id
            return None
        # An id past SQLite's integers (a mistyped 30-digit number) is no article's.
        if not _SQLITE_MIN <= number <= _SQLITE_MAX:
            return _by_portal_id(conn, str(ref))
        row = conn.execute("SELECT id FROM articles WHERE id = ?", (number,)).fetchone()
        # The archive's own ids come first: they are what every listing of the archive prints.
        return row[0] if row else _by_portal_id(conn, str(ref))
    by_capture = (
        # Not a page an article was redirected to when it was taken down (the home page): that
        # page's URL is not the article's.
        "SELECT article_id FROM captures WHERE url = ? AND article_id IS NOT NULL"
        " AND removal IS NULL ORDER BY fetched_at DESC"
    )
    for sql, param in (
        ("SELECT id FROM articles WHERE canonical_url = ?", ref),
        (by_capture, ref),
        ("SELECT id FROM articles WHERE url_key = ? ORDER BY id", url_key(ref)),
    ):
        row = conn.execute(sql, (param,)).fetchone()
        if row:
            return row[0]
    named = _PORTAL_REF.fullmatch(ref)
    if named is not None:
        row = conn.execute("SELECT id FROM articles WHERE portal_article_id = ? AND portal = ?",
                           (named.group(2), named.group(1))).fetchone()
        if row:
            return row[0]
    return _by_portal_id(conn, ref)


def _by_portal_id(conn: sqlite3.Connection, portal_id: str) -> int | None:
    """The article whose portal gave it this id, when one article has it."""
    rows = conn.execute("SELECT id, portal FROM articles WHERE portal_article_id = ?"
                        " ORDER BY portal, id LIMIT 10", (portal_id,)).fetchall()
    if len(rows) > 1:
        named = ", ".join(f"{portal}:{portal_id} (article {number})" for number, portal in rows)
        raise AmbiguousArticle(f"{portal_id!r} is the id of articles of several portals: {named};"
                              " name one as PORTAL:ID")
    return rows[0][0] if rows else None


def article(archive: Archive, ref: int | str) -> dict[str, Any] | None:
    """An article with its current record, every version and every capture; None if unknown."""
    conn = archive.conn
    article_id = find_article_id(conn, ref)
    if article_id is None:
        return None
    row = _rows(conn, "SELECT * FROM articles WHERE id = ?", (article_id,))[0]
    return {
        "article": row,
        "record": version_record(conn, row["current_version_id"]),
        "versions": _rows(
            conn,
            "SELECT id, content_sha256, headline, extractor, first_seen, last_seen, url"
            " FROM versions WHERE article_id = ? ORDER BY first_seen, id",
            (article_id,),
        ),
        "captures": _rows(
            conn,
            "SELECT c.id, c.run_id, c.url, c.fetched_at, c.status, c.kind, c.outcome,"
            " c.version_id, c.body_sha256, b.size AS body_size, c.warc_filename, c.warc_offset"
            " FROM captures c"
            " JOIN bodies b ON b.sha256 = c.body_sha256 WHERE c.article_id = ?"
            " ORDER BY c.fetched_at, c.id",
            (article_id,),
        ),
    }


def iter_articles(archive: Archive, filters: ArticleFilter | None = None) -> Iterator[dict[str, Any]]:
    """Every matching article's current record, one at a time (constant memory)."""
    clauses, params = (filters or ArticleFilter()).where()
    sql = (
        "SELECT a.id, a.current_version_id, a.first_seen, a.last_seen, a.version_count"
        " FROM articles a"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + " ORDER BY a.id"
    )
    # A cursor of its own: the outer rows stream while per-article queries run beside them.
    for article_id, version_id, first_seen, last_seen, count in archive.conn.cursor().execute(
        sql, params
    ):
        content = version_content(archive.conn, version_id)
        content.update(
            id=article_id, first_seen=first_seen, last_seen=last_seen, versions=count
        )
        yield content


def stats(archive: Archive) -> dict[str, Any]:
    """Articles by portal and publication day, and how often each field is present."""
    conn = archive.conn
    totals = _rows(
        conn,
        "SELECT (SELECT count(*) FROM articles) AS articles,"
        " (SELECT count(*) FROM versions) AS versions,"
        " (SELECT count(*) FROM captures) AS captures,"
        " (SELECT count(*) FROM runs) AS runs,"
        " (SELECT ifnull(sum(size), 0) FROM bodies) AS body_bytes,"
        " (SELECT ifnull(sum(length(data)), 0) FROM bodies)"
        "  + (SELECT ifnull(sum(length(data)), 0) FROM body_dictionaries) AS stored_body_bytes",
    )[0]
    by_day = _rows(
        conn,
        "SELECT portal, ifnull(substr(published_at, 1, 10), 'undated') AS day,"
        " count(*) AS articles FROM articles GROUP BY 1, 2 ORDER BY 1, 2",
    )
    coverage = _rows(
        conn,
        "SELECT portal, count(*) AS articles,"
        " round(avg(published_at IS NOT NULL), 3) AS with_time,"
        " round(avg(source IS NOT NULL AND source != ''), 3) AS with_source,"
        " round(avg(EXISTS (SELECT 1 FROM people p WHERE p.version_id = a.current_version_id"
        "   AND p.kind = 'reporter')), 3) AS with_reporters,"
        " round(avg(EXISTS (SELECT 1 FROM people p WHERE p.version_id = a.current_version_id"
        "   AND p.kind = 'editor')), 3) AS with_editor"
        " FROM articles a GROUP BY portal ORDER BY portal",
    )
    never_shown, unreadable = portals_never_shown(conn)
    for row in coverage:
        # A field the portal never shows has no share: None, not 0 (its articles lack nothing).
        row["never_shown"] = never_shown.get(row["portal"], [])
        for name in row["never_shown"]:
            if name in COVERAGE_COLUMNS:
                row[COVERAGE_COLUMNS[name]] = None
    # What could not be read, by ``COLUMN of run #ID``: said in a warning by the command.
    return {"totals": totals, "by_day": by_day, "coverage": coverage, "unreadable": unreadable}


# The record field each coverage column of ``stats`` counts.
COVERAGE_COLUMNS = {"published_at": "with_time", "source": "with_source",
                    "reporters": "with_reporters", "editors": "with_editor"}


def run_tagged(conn: sqlite3.Connection, name: str, value: str) -> int | None:
    """The newest run whose settings hold ``name`` = ``value`` (a tag its crawl recorded with
    it), or None. Settings that are not JSON are passed over (``Archive.runs`` reads them as {})."""
    row = conn.execute(
        "SELECT id FROM runs WHERE CASE WHEN json_valid(settings) THEN json_extract(settings, ?) END = ?"
        " ORDER BY id DESC LIMIT 1", (f'$."{name}"', value)).fetchone()
    return None if row is None else int(row[0])


def portals_never_shown(conn: sqlite3.Connection) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The fields each portal never shows, as its latest run that said so recorded them; and
    why a run's value could not be read (by ``never_shown of run #ID``), whose portal is then
    taken to show every field, as a run that says nothing leaves it."""
    fields: dict[str, list[str]] = {}
    unreadable: dict[str, str] = {}
    for run_id, portal, text in conn.execute(
            "SELECT id, portal, never_shown FROM runs r WHERE id = (SELECT id FROM runs"
            " WHERE portal = r.portal AND never_shown IS NOT NULL ORDER BY started_at DESC, id DESC"
            " LIMIT 1)"):
        names, error = decode(text, list)
        if error is None and not all(isinstance(name, str) for name in names):
            names, error = [], "JSON an array of other things than field names"
        if error is not None:
            unreadable[f"never_shown of run #{run_id}"] = error
        fields[portal] = names
    return fields, unreadable


def crawl_state(conn: sqlite3.Connection, url: str, portal: str) -> dict[str, Any] | None:
    """What the archive knows of an article URL (its canonical URL or a twin), or None.

    ``published_utc``, ``first_seen``, ``last_seen`` (the last capture of it, a 304 included),
    and the validators the server sent with the latest full capture (``etag``,
    ``last_modified``, None when it sent none): what a crawler needs to decide whether to fetch
    the page again and to ask for it conditionally.
    """
    return crawl_states(conn, [url], portal)[url]


def crawl_states(conn: sqlite3.Connection, urls: list[str], portal: str,
                 ) -> dict[str, dict[str, Any] | None]:
    """``crawl_state`` of each URL (the links of a listing page), found with a query or two for
    them all rather than one or two for each: a crawl looks up every article link it follows."""
    columns = "id, published_utc, first_seen, last_seen"
    wanted = list(dict.fromkeys(urls))
    found = articles_by_url(conn, wanted, columns)
    # Not archived under that URL: a twin's (www./m.), the oldest article of the portal with its key.
    keys = {url: url_key(url) for url in wanted if url not in found}
    twins = articles_by_key(conn, portal, keys.values(), columns)
    states: dict[str, dict[str, Any] | None] = {}
    for url in wanted:
        row = found.get(url) or twins.get(keys.get(url) or "")
        states[url] = None if row is None else _crawl_state(conn, *row)
    return states


def _crawl_state(conn: sqlite3.Connection, article_id: int, published_utc: str | None,
                 first_seen: str, last_seen: str) -> dict[str, Any]:
    found = conn.execute(
        # Not a page that showed the article gone (a soft 404): its validators are the error
        # page's, and a 304 for them would say nothing of the article.
        "SELECT headers FROM captures WHERE article_id = ? AND status = 200 AND removal IS NULL"
        " ORDER BY fetched_at DESC, id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    headers = {k.lower(): v for k, v in json.loads(found[0]).items()} if found else {}
    return {
        "article_id": article_id,
        "published_utc": published_utc,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
    }


CAPTURE_PAGE = 500


def iter_article_captures(
    archive: Archive, filters: CaptureFilter | None = None
) -> Iterator[dict[str, Any]]:
    """Every successful article-page capture but signs of removal, oldest fetch first, without
    its body.

    Rows come in pages by (fetch time, id), so the caller may write to the archive (re-extraction
    links captures to new versions) while iterating. ``headers`` is the stored JSON, parsed.
    """
    clauses, params = (filters or CaptureFilter()).where()
    sql = (
        "SELECT c.id, c.url, c.fetched_at, c.status, c.headers, r.portal, c.article_id,"
        " c.version_id, c.body_sha256, c.warc_filename, c.warc_offset"
        " FROM captures c JOIN runs r ON r.id = c.run_id WHERE " + " AND ".join(clauses)
        + " AND (c.fetched_at, c.id) > (?, ?) ORDER BY c.fetched_at, c.id LIMIT ?"
    )
    after: tuple[str, int] = ("", 0)
    while True:
        rows = _rows(archive.conn, sql, [*params, *after, CAPTURE_PAGE])
        for row in rows:
            row["headers"] = json.loads(row["headers"])
            yield row
        if len(rows) < CAPTURE_PAGE:
            return
        after = (rows[-1]["fetched_at"], rows[-1]["id"])


def count_article_captures(archive: Archive, filters: CaptureFilter | None = None) -> int:
    """How many captures ``iter_article_captures`` yields (for a progress display)."""
    clauses, params = (filters or CaptureFilter()).where()
    return archive.conn.execute(
        "SELECT count(*) FROM captures c JOIN runs r ON r.id = c.run_id WHERE "
        + " AND ".join(clauses), params,
    ).fetchone()[0]
