"""The archive's schema as a list of numbered migrations.

``PRAGMA user_version`` records the last migration applied. ``archive.connection`` applies the
missing ones in order, each in the same write transaction as the version bump, so a crash or two
processes opening a new archive at once never leave it half migrated. Never edit a migration that has
shipped: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .fold import TOKENIZE, fold_map, fold_versions, translate_table
from .records import PRINT_COLUMNS

SCHEMA_V1 = """
CREATE TABLE archive_meta (
    key TEXT PRIMARY KEY,
    value TEXT
);

-- One crawl: which portal, when, with which settings, how it ended.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    portal TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    settings TEXT NOT NULL DEFAULT '{}',  -- JSON
    stats TEXT                            -- JSON
);

-- Preset zlib dictionaries, one per portal and page kind (see archive/compress.py).
CREATE TABLE body_dictionaries (
    id INTEGER PRIMARY KEY,
    portal TEXT NOT NULL,
    kind TEXT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (portal, kind)
);

-- Page bodies, stored once per distinct payload.
CREATE TABLE bodies (
    sha256 TEXT PRIMARY KEY,           -- hex digest of the raw bytes
    size INTEGER NOT NULL,             -- raw length in bytes
    codec TEXT NOT NULL,               -- 'zlib'
    dictionary_id INTEGER REFERENCES body_dictionaries(id),
    data BLOB NOT NULL
);

-- Every fetched page.
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    kind TEXT NOT NULL,
    headers TEXT NOT NULL,             -- JSON object
    body_sha256 TEXT NOT NULL REFERENCES bodies(sha256),
    outcome TEXT NOT NULL,             -- new | changed | unchanged | captured
    article_id INTEGER REFERENCES articles(id),
    version_id INTEGER REFERENCES versions(id),
    comments TEXT,                     -- JSON {participants, count} or null
    warnings TEXT,                     -- JSON list of the extractor's warnings
    UNIQUE (url, fetched_at, body_sha256)
);
CREATE INDEX captures_run ON captures(run_id);
CREATE INDEX captures_article ON captures(article_id);

-- One row per canonical URL, holding the fields of its current version.
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    url_key TEXT NOT NULL,             -- archive/urls.py: www./m. twins share it
    portal TEXT NOT NULL,
    portal_article_id TEXT,            -- the record's article_id
    current_version_id INTEGER REFERENCES versions(id),
    headline TEXT NOT NULL,
    published_at TEXT,                 -- ISO 8601 with the portal's offset
    published_utc TEXT,                -- the same instant in UTC, for sorting and filtering
    source TEXT,
    script TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    version_count INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX articles_url_key ON articles(url_key, portal);
CREATE INDEX articles_published ON articles(published_utc);

-- Every distinct extracted content of an article; a correction adds a row.
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    content_sha256 TEXT NOT NULL,      -- of the record minus its volatile keys
    url TEXT NOT NULL,                 -- the URL it was first fetched from
    canonical_url TEXT NOT NULL,
    portal TEXT NOT NULL,
    portal_article_id TEXT,
    headline TEXT NOT NULL,
    published_at TEXT,
    published_utc TEXT,
    published_at_raw TEXT,
    source TEXT,
    script TEXT,
    encoding TEXT,
    extractor TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    first_capture_id INTEGER REFERENCES captures(id),
    UNIQUE (article_id, content_sha256)
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    kind TEXT NOT NULL,                -- reporter | editor
    position INTEGER NOT NULL,         -- page order within its kind, from 0
    role TEXT,
    name TEXT NOT NULL,
    UNIQUE (version_id, kind, position)
);
CREATE INDEX people_name ON people(name);

CREATE TABLE paragraphs (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (version_id, position)
);

CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    caption TEXT,
    UNIQUE (version_id, position)
);

-- Hot lists as a capture showed them; target_article_id is the archived article they point to.
CREATE TABLE rankings (
    id INTEGER PRIMARY KEY,
    capture_id INTEGER NOT NULL REFERENCES captures(id),
    fetched_at TEXT NOT NULL,
    portal TEXT NOT NULL,
    list TEXT NOT NULL,
    period TEXT,
    rank INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    url_key TEXT,
    target_article_id INTEGER REFERENCES articles(id)
);
-- A capture's list entry is stored once, whatever the record repeats.
CREATE UNIQUE INDEX rankings_entry ON rankings(capture_id, list, ifnull(period, ''), rank);
CREATE INDEX rankings_target ON rankings(url_key, portal);
CREATE INDEX rankings_list ON rankings(portal, list, period, fetched_at);

CREATE TABLE related (
    id INTEGER PRIMARY KEY,
    capture_id INTEGER NOT NULL REFERENCES captures(id),
    fetched_at TEXT NOT NULL,
    portal TEXT NOT NULL,
    list TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    url_key TEXT,
    target_article_id INTEGER REFERENCES articles(id),
    UNIQUE (capture_id, list, position)
);
CREATE INDEX related_target ON related(url_key, portal);

-- Character folding used by the search index (archive/fold.py); only characters that change.
CREATE TABLE fold (
    ch TEXT PRIMARY KEY,
    folded TEXT NOT NULL
) WITHOUT ROWID;

-- Full-text index of the current version of each article, rowid = articles.id.
-- Columns index overlapping bigrams of the folded text, see docs/archive.md. Contentless: the
-- text is in paragraphs already, and storing its bigrams again would double the archive. A
-- row is removed with the 'delete' command and the same values, recomputed from the version.
CREATE VIRTUAL TABLE search USING fts5(
    headline, body, names, content = '', tokenize = "{tokenize}"
);
-- bm25 column weights: a hit in the headline counts most.
INSERT INTO search(search, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0)');
-- Every page commits on its own, which leaves many small index segments; merging more of
-- them at once costs less per page for a small price at query time.
INSERT INTO search(search, rank) VALUES ('automerge', 8);
INSERT INTO search(search, rank) VALUES ('crisismerge', 32);

-- Researcher views: the current version of each article, flattened.
CREATE VIEW article_people AS
SELECT a.id AS article_id, a.canonical_url, a.portal, a.headline, a.published_at,
       p.kind, p.position, p.role, p.name
FROM articles a JOIN people p ON p.version_id = a.current_version_id;

CREATE VIEW articles_flat AS
SELECT a.id, a.canonical_url, a.portal, a.portal_article_id, a.headline, a.published_at,
       v.published_at_raw, a.source, a.script,
       (SELECT group_concat(ifnull(role || ' ', '') || name, '; ') FROM (
            SELECT role, name FROM people WHERE version_id = a.current_version_id
            AND kind = 'reporter' ORDER BY position)) AS reporters,
       (SELECT group_concat(ifnull(role || ' ', '') || name, '; ') FROM (
            SELECT role, name FROM people WHERE version_id = a.current_version_id
            AND kind = 'editor' ORDER BY position)) AS editors,
       (SELECT group_concat(text, char(10)) FROM (
            SELECT text FROM paragraphs WHERE version_id = a.current_version_id
            ORDER BY position)) AS text,
       (SELECT count(*) FROM images WHERE version_id = a.current_version_id) AS image_count,
       v.extractor, a.version_count, a.first_seen, a.last_seen
FROM articles a JOIN versions v ON v.id = a.current_version_id;

-- Hot lists over time: how long each title held each rank.
CREATE VIEW ranking_history AS
SELECT portal, list, period, rank, title, url, target_article_id,
       min(fetched_at) AS first_seen, max(fetched_at) AS last_seen,
       count(DISTINCT fetched_at) AS snapshots
FROM rankings
GROUP BY portal, list, period, rank, title, url, target_article_id;
"""


def statements(script: str) -> list[str]:
    """Split a SQL script into statements.

    ``executescript`` would commit the migration's transaction first, so statements run one by one.
    """
    out: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:60]}")
    return out


def _v1(conn: sqlite3.Connection) -> None:
    for statement in statements(SCHEMA_V1.replace("{tokenize}", TOKENIZE.replace('"', '""'))):
        conn.execute(statement)
    conn.executemany("INSERT INTO fold (ch, folded) VALUES (?, ?)", fold_map().items())
    conn.executemany(
        "INSERT INTO archive_meta (key, value) VALUES (?, ?)",
        [("fold_source", _fold_source()), ("index_scheme", "bigram-1")],
    )


def _fold_source() -> str:
    opencc = fold_versions()["opencc"]
    # The note is informative only; odd installs may not know OpenCC's version.
    return f"opencc {opencc} t2s, NFKC, lower" if opencc != "unknown" else "opencc t2s, NFKC, lower"


def _v2(conn: sqlite3.Connection) -> None:
    # Where each capture's WARC record is, when the crawl wrote WARC files (newscrawler.warc).
    conn.execute("ALTER TABLE captures ADD COLUMN warc_filename TEXT")
    conn.execute("ALTER TABLE captures ADD COLUMN warc_offset INTEGER")


def _v3(conn: sqlite3.Connection) -> None:
    # A run whose field coverage fell sharply against the portal's recent runs (newscrawler's
    # run reports): the layout probably broke. flag_reason names the fields.
    conn.execute("ALTER TABLE runs ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE runs ADD COLUMN flag_reason TEXT")
    conn.execute("CREATE INDEX runs_portal ON runs(portal, started_at)")


def _v4(conn: sqlite3.Connection) -> None:
    # An archivist checked a flagged run and acknowledged its flag (Archive.acknowledge_flag):
    # when, who, and why. flagged and flag_reason keep what the crawl decided.
    conn.execute("ALTER TABLE runs ADD COLUMN acknowledged_at TEXT")
    conn.execute("ALTER TABLE runs ADD COLUMN acknowledged_by TEXT")
    conn.execute("ALTER TABLE runs ADD COLUMN acknowledged_note TEXT")


def _v5(conn: sqlite3.Connection) -> None:
    # The redirects that led to a capture (3xx or meta refresh), oldest first: JSON list of
    # {url, status, reason, warc_filename, warc_offset}, or null when it was fetched directly.
    conn.execute("ALTER TABLE captures ADD COLUMN redirects TEXT")


SEARCH_V6 = """
CREATE VIRTUAL TABLE search USING fts5(
    headline, body, names, content = '', prefix = '1', tokenize = "{tokenize}"
);
INSERT INTO search(search, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0)');
INSERT INTO search(search, rank) VALUES ('automerge', 8);
INSERT INTO search(search, rank) VALUES ('crisismerge', 32);
"""


def _v6(conn: sqlite3.Connection) -> None:
    # A one-character word is the prefix query "c" *, which without a prefix index merges the
    # postings of every bigram starting with c: seconds for a common character at 100,000
    # articles. prefix = '1' keeps one posting list per first character, so it is one lookup
    # (same rows, same bm25). FTS5 options cannot be changed in place, so the contentless index
    # is rebuilt from the stored current versions, as the writer builds each row.
    from .writer import Writer

    conn.execute("DROP TABLE search")
    for statement in statements(SEARCH_V6.replace("{tokenize}", TOKENIZE.replace('"', '""'))):
        conn.execute(statement)
    writer = Writer(conn, translate_table(dict(conn.execute("SELECT ch, folded FROM fold"))))
    conn.executemany(
        "INSERT INTO search (rowid, headline, body, names) VALUES (?, ?, ?, ?)",
        ((article_id, *writer.search_values(version_id)) for article_id, version_id in
         conn.execute("SELECT id, current_version_id FROM articles WHERE current_version_id"
                      " IS NOT NULL ORDER BY id").fetchall()),
    )
    conn.execute("UPDATE archive_meta SET value = 'bigram-1 prefix-1' WHERE key = 'index_scheme'")


def _v7(conn: sqlite3.Connection) -> None:
    # What changed from the version seen before, one row per version that has one (archive/diff.py):
    # researchers ask SQL which headlines were changed or which reporters were removed.
    conn.execute("""
        CREATE TABLE version_changes (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id),
            article_id INTEGER NOT NULL REFERENCES articles(id),
            previous_version_id INTEGER NOT NULL REFERENCES versions(id),
            seen_at TEXT NOT NULL,               -- the version's first capture (UTC)
            changed TEXT NOT NULL,               -- the fields that differ, space-separated
            headline_changed INTEGER NOT NULL,
            published_at_changed INTEGER NOT NULL,
            source_changed INTEGER NOT NULL,
            reporters_changed INTEGER NOT NULL,
            editors_changed INTEGER NOT NULL,
            paragraphs_changed INTEGER NOT NULL,
            chars_inserted INTEGER NOT NULL,     -- in the headline and paragraphs
            chars_deleted INTEGER NOT NULL,
            paragraphs_inserted INTEGER NOT NULL,
            paragraphs_deleted INTEGER NOT NULL,
            paragraphs_rewritten INTEGER NOT NULL,
            people_removed TEXT,                 -- reporters and editors no longer named, '; '
            people_added TEXT
        )""")
    conn.execute("CREATE INDEX version_changes_article ON version_changes(article_id)")
    conn.execute("CREATE INDEX version_changes_seen ON version_changes(seen_at)")
    from .diff import backfill

    backfill(conn)


CHANGES_VIEW = """
CREATE VIEW changes AS
SELECT * FROM (
    SELECT vc.seen_at AS at,
           -- The same page bytes read differently (``newscrawler reparse`` with a newer
           -- extractor) are no edit of the article: kind 'reextracted'.
           CASE WHEN (SELECT body_sha256 FROM captures WHERE id = v.first_capture_id)
                     = (SELECT body_sha256 FROM captures WHERE id = p.first_capture_id)
                THEN 'reextracted'
                ELSE trim(CASE WHEN vc.paragraphs_changed OR vc.published_at_changed
                                    OR vc.source_changed THEN 'edited ' ELSE '' END
                          || CASE WHEN vc.headline_changed THEN 'headline ' ELSE '' END
                          || CASE WHEN vc.reporters_changed OR vc.editors_changed
                                  THEN 'people' ELSE '' END)
           END AS kind,
           a.portal, a.id AS article_id, v.headline,
           CASE WHEN vc.headline_changed THEN p.headline END AS previous_headline,
           vc.changed || ' (+' || vc.chars_inserted || ' -' || vc.chars_deleted || ' chars)'
               || ifnull('; people removed: ' || vc.people_removed, '')
               || ifnull('; people added: ' || vc.people_added, '') AS detail,
           vc.previous_version_id AS from_version_id, vc.version_id AS to_version_id,
           v.first_capture_id AS capture_id, a.canonical_url
    FROM version_changes vc
    JOIN versions v ON v.id = vc.version_id
    JOIN versions p ON p.id = vc.previous_version_id
    JOIN articles a ON a.id = vc.article_id
) WHERE kind != ''
UNION ALL
SELECT e.at, e.kind, a.portal, a.id, a.headline, NULL, ifnull(e.reason, ''), NULL, NULL,
       e.capture_id, a.canonical_url
FROM article_events e JOIN articles a ON a.id = e.article_id
"""


def _v8(conn: sqlite3.Connection) -> None:
    # Articles taken down and back (docs/changes.md). status: live | removed | restored, since
    # the fetch time of the capture that first showed it. A sign of removal waits in
    # removal_pending_capture_id until a second one, a set time later, confirms it.
    conn.execute("ALTER TABLE articles ADD COLUMN status TEXT NOT NULL DEFAULT 'live'")
    conn.execute("ALTER TABLE articles ADD COLUMN status_since TEXT")
    conn.execute("ALTER TABLE articles ADD COLUMN removal_pending_capture_id INTEGER"
                 " REFERENCES captures(id)")
    # The sign of removal a capture of a known article showed: http_404, http_410,
    # redirect_home, redirect_channel or soft_404.
    conn.execute("ALTER TABLE captures ADD COLUMN removal TEXT")
    conn.execute("""
        CREATE TABLE article_events (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL,                  -- removed | restored
            at TEXT NOT NULL,                    -- fetch time of the capture that first showed it
            capture_id INTEGER NOT NULL REFERENCES captures(id),
            confirmed_by INTEGER REFERENCES captures(id),  -- removed: the later observation
            reason TEXT                          -- removed: the first capture's sign of removal
        )""")
    conn.execute("CREATE INDEX article_events_article ON article_events(article_id)")
    conn.execute("CREATE INDEX article_events_at ON article_events(at)")
    conn.execute(CHANGES_VIEW)


def _v9(conn: sqlite3.Connection) -> None:
    # Views hold no data: the changes view is replaced by its current definition.
    conn.execute("DROP VIEW IF EXISTS changes")
    conn.execute(CHANGES_VIEW)


def _v10(conn: sqlite3.Connection) -> None:
    # The record fields the crawled portal never shows (a printed page has no source and no
    # editors), as a JSON list, so `stats` says "not shown" instead of a coverage of 0. The
    # crawler declares them (Portal.never_shown); the archive only keeps them. Null: a run
    # recorded before, which did not say. Those runs' stats named them already
    # (newscrawler/validate/never_shown, set only when there are some): taken from there.
    conn.execute("ALTER TABLE runs ADD COLUMN never_shown TEXT")
    conn.execute("""UPDATE runs SET never_shown = json_extract(stats, '$."newscrawler/validate/never_shown"')
                    WHERE json_valid(stats)
                      AND json_type(stats, '$."newscrawler/validate/never_shown"') = 'array'""")


def _v11(conn: sqlite3.Connection) -> None:
    # A word that repeats one character (一一一一一一一一) makes FTS5 pass over that bigram's
    # postings once per repetition, however few articles hold the word. This table finds them:
    # each character an article's index text repeats 3 times or more in a row, with the longest
    # row (archive/repeated.py). The writer keeps it with the index; filled here from the stored
    # current versions, as the writer builds their index texts.
    from .repeated import build
    from .writer import Writer

    conn.execute("""
        CREATE TABLE repeated_chars (
            ch TEXT NOT NULL,                    -- a folded character, as in the index text
            length INTEGER NOT NULL,             -- its longest row in the article (3 or more)
            article_id INTEGER NOT NULL REFERENCES articles(id),  -- = search.rowid
            PRIMARY KEY (ch, length, article_id)
        ) WITHOUT ROWID""")
    build(conn, Writer(conn, translate_table(dict(conn.execute("SELECT ch, folded FROM fold")))))


def _v12(conn: sqlite3.Connection) -> None:
    # What a printed page's record says of its print (e-papers, web articles with a print note):
    # the line above the headline (引题) and below it (副题), the paper, edition date and page.
    # Versions filed before kept none of them: null, as the record is elsewhere. Columns there
    # already (an archive whose version number was set back by hand) are left as they are.
    present = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
    for column in PRINT_COLUMNS:
        if column not in present:
            conn.execute(f"ALTER TABLE versions ADD COLUMN {column} TEXT")


def _v13(conn: sqlite3.Connection) -> None:
    # ``show``, ``diff`` and ``rankings --article`` find an article by its portal's own id
    # (``zjdaily:2953118``, the record's article_id) as well as by the archive's id or a URL.
    # IF NOT EXISTS: an archive whose version number was set back by hand has it already.
    conn.execute("CREATE INDEX IF NOT EXISTS articles_portal_id ON articles(portal_article_id, portal)")


# (version, description, apply). apply runs inside the migration's transaction.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "tables, search index, views", _v1),
    (2, "captures point at their WARC record", _v2),
    (3, "runs can be flagged (field coverage fell)", _v3),
    (4, "a run's flag can be acknowledged (when, by whom, why)", _v4),
    (5, "captures record the redirects that led to them", _v5),
    (6, "search index with one-character prefixes (fast one-character words)", _v6),
    (7, "what changed in each version (version_changes)", _v7),
    (8, "articles removed and restored (status, article_events, changes view)", _v8),
    (9, "re-extractions of the same page bytes are not edits (changes view)", _v9),
    (10, "runs record the fields their portal never shows", _v10),
    (11, "articles that repeat a character in a row (repeated_chars), for search", _v11),
    (12, "versions keep a printed page's kicker, subtitle, paper, edition date and page", _v12),
    (13, "articles are found by their portal's own id (index)", _v13),
]

LATEST = MIGRATIONS[-1][0]
