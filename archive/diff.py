"""What changed between two versions of an article: fields, paragraphs and characters.

``diff_versions(old, new)`` compares two versions (as ``load_version`` reads them from the
archive) with ``difflib``: the fields that differ (headline, published_at, source, reporters,
editors, paragraphs), and the paragraphs aligned as kept, inserted, deleted or rewritten, a
rewritten paragraph (and a changed headline) down to the characters inserted and deleted.

``VersionDiff.summary()`` is the row the archive keeps per version in ``version_changes``
(written with each new version, see ``record_change``), so that researchers can ask SQL which
articles had their headline changed or their reporter removed without re-running a diff.
Rendering for a terminal and as HTML is in ``archive.diffview``.
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass, field
from typing import Any

# The fields compared, in the order they are reported.
FIELDS = ("headline", "published_at", "source", "reporters", "editors", "paragraphs")
# Two paragraphs at least this similar (difflib's ratio) are the same paragraph rewritten;
# less similar, one was deleted and another inserted.
REWRITE_RATIO = 0.5


@dataclass(frozen=True)
class Segment:
    """A run of characters: ``equal``, ``insert`` (only in the new text) or ``delete``."""

    op: str
    text: str


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph of the alignment: ``equal``, ``insert``, ``delete`` or ``rewrite``.

    Positions count from 0 in their version; a rewritten paragraph has both, with its
    character-level ``segments``.
    """

    op: str
    old_position: int | None
    new_position: int | None
    old: str | None
    new: str | None
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    """A field other than the paragraphs that differs; text fields carry their segments."""

    name: str
    old: Any
    new: Any
    segments: tuple[Segment, ...] = ()


@dataclass
class VersionDiff:
    from_version: int | None
    to_version: int | None
    fields: list[FieldChange] = field(default_factory=list)
    paragraphs: list[ParagraphChange] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        names = {change.name for change in self.fields}
        if any(p.op != "equal" for p in self.paragraphs):
            names.add("paragraphs")
        return [name for name in FIELDS if name in names]

    def summary(self) -> dict[str, Any]:
        """Counts for the ``version_changes`` row: which fields, how many characters and
        paragraphs, and which people left or joined the byline."""
        inserted = deleted = 0
        for segments in [c.segments for c in self.fields] + [p.segments for p in self.paragraphs]:
            inserted += sum(len(s.text) for s in segments if s.op == "insert")
            deleted += sum(len(s.text) for s in segments if s.op == "delete")
        for p in self.paragraphs:
            if p.op == "insert":
                inserted += len(p.new or "")
            elif p.op == "delete":
                deleted += len(p.old or "")
        removed: list[str] = []
        added: list[str] = []
        for change in self.fields:
            if change.name in ("reporters", "editors"):
                removed += [name for name in change.old if name not in change.new]
                added += [name for name in change.new if name not in change.old]
        changed = self.changed
        ops = [p.op for p in self.paragraphs]
        return {
            "changed": " ".join(changed),
            **{f"{name}_changed": int(name in changed) for name in FIELDS},
            "chars_inserted": inserted,
            "chars_deleted": deleted,
            "paragraphs_inserted": ops.count("insert"),
            "paragraphs_deleted": ops.count("delete"),
            "paragraphs_rewritten": ops.count("rewrite"),
            "people_removed": "; ".join(removed) or None,
            "people_added": "; ".join(added) or None,
        }


def char_segments(old: str, new: str) -> tuple[Segment, ...]:
    """The characters of ``old`` kept, deleted and inserted to make ``new``."""
    # autojunk off: in Chinese text frequent characters (的, 在) are not junk, and texts
    # over 200 characters would otherwise align badly.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("equal", old[i1:i2]))
            continue
        if i2 > i1:
            out.append(Segment("delete", old[i1:i2]))
        if j2 > j1:
            out.append(Segment("insert", new[j1:j2]))
    return tuple(out)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def align_paragraphs(old: list[str], new: list[str]) -> list[ParagraphChange]:
    """Paragraphs aligned in reading order: kept, inserted, deleted, or rewritten in place."""
    out: list[ParagraphChange] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [ParagraphChange("equal", i, j, old[i], new[j])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        # A replaced block: pair each old paragraph, in order, with the first following new
        # one that is similar enough; the rest were deleted or inserted.
        j = j1
        for i in range(i1, i2):
            match = next((k for k in range(j, j2) if _similarity(old[i], new[k]) >= REWRITE_RATIO),
                         None)
            if match is None:
                out.append(ParagraphChange("delete", i, None, old[i], None))
                continue
            out += [ParagraphChange("insert", None, k, None, new[k]) for k in range(j, match)]
            out.append(ParagraphChange("rewrite", i, match, old[i], new[match],
                                       char_segments(old[i], new[match])))
            j = match + 1
        out += [ParagraphChange("insert", None, k, None, new[k]) for k in range(j, j2)]
    return out


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> VersionDiff:
    """Compare two versions as ``load_version`` gives them."""
    diff = VersionDiff(old.get("id"), new.get("id"))
    for name in FIELDS[:-1]:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        segments: tuple[Segment, ...] = ()
        if isinstance(before, str) and isinstance(after, str) and name == "headline":
            segments = char_segments(before, after)
        diff.fields.append(FieldChange(name, before, after, segments))
    diff.paragraphs = align_paragraphs(list(old["paragraphs"]), list(new["paragraphs"]))
    return diff


def load_version(conn: sqlite3.Connection, version_id: int) -> dict[str, Any]:
    """A version's compared fields; people as ``role name`` strings in page order."""
    row = conn.execute(
        "SELECT id, article_id, headline, published_at, source, first_seen FROM versions"
        " WHERE id = ?", (version_id,)
    ).fetchone()
    if row is None:
        raise KeyError(f"no version {version_id}")
    version: dict[str, Any] = dict(
        zip(("id", "article_id", "headline", "published_at", "source", "first_seen"), row, strict=True))
    for kind, key in (("reporter", "reporters"), ("editor", "editors")):
        version[key] = [
            f"{role} {name}" if role else name for role, name in conn.execute(
                "SELECT role, name FROM people WHERE version_id = ? AND kind = ? ORDER BY position",
                (version_id, kind))
        ]
    version["paragraphs"] = [text for (text,) in conn.execute(
        "SELECT text FROM paragraphs WHERE version_id = ? ORDER BY position", (version_id,))]
    return version


def previous_version(conn: sqlite3.Connection, version_id: int) -> int | None:
    """The version of the same article seen just before this one (by first capture)."""
    row = conn.execute(
        "SELECT p.id FROM versions v JOIN versions p ON p.article_id = v.article_id"
        " WHERE v.id = ? AND (p.first_seen, p.id) < (v.first_seen, v.id)"
        " ORDER BY p.first_seen DESC, p.id DESC LIMIT 1", (version_id,)
    ).fetchone()
    return row[0] if row else None


def next_version(conn: sqlite3.Connection, version_id: int) -> int | None:
    row = conn.execute(
        "SELECT n.id FROM versions v JOIN versions n ON n.article_id = v.article_id"
        " WHERE v.id = ? AND (n.first_seen, n.id) > (v.first_seen, v.id)"
        " ORDER BY n.first_seen, n.id LIMIT 1", (version_id,)
    ).fetchone()
    return row[0] if row else None


SUMMARY_COLUMNS = (
    "changed", *(f"{name}_changed" for name in FIELDS), "chars_inserted", "chars_deleted",
    "paragraphs_inserted", "paragraphs_deleted", "paragraphs_rewritten", "people_removed",
    "people_added",
)


def record_version(record: dict[str, Any], version_id: int | None = None) -> dict[str, Any]:
    """The compared fields of the version filed from ``record``, as ``load_version`` reads them
    back: the version keeps the record's headline, time, source, people and paragraphs as given,
    so a version just filed (or about to be) needs no reading back."""
    version: dict[str, Any] = {"id": version_id, "headline": record["headline"],
                               "published_at": record.get("published_at"),
                               "source": record.get("source")}
    for key in ("reporters", "editors"):
        version[key] = [f"{p.get('role')} {p['name']}" if p.get("role") else p["name"]
                        for p in record.get(key) or []]
    version["paragraphs"] = list(record["paragraphs"])
    return version


@dataclass(frozen=True)
class KnownChange:
    """A ``version_changes`` summary made before its version was filed (re-extraction's workers
    make it, ``versions.ReparseHint``): valid while ``previous_version_id`` is still the version
    seen just before the new one, since a stored version's content never changes."""

    previous_version_id: int
    summary: dict[str, Any]


def change_summary(conn: sqlite3.Connection, previous_id: int, new: dict[str, Any]) -> dict[str, Any]:
    """The ``version_changes`` summary of ``new`` (a ``load_version`` or ``record_version``
    dict) against the stored version ``previous_id``."""
    return diff_versions(load_version(conn, previous_id), new).summary()


def _neighbours(conn: sqlite3.Connection, article_id: int, version_id: int) -> tuple[int | None, int | None]:
    """The versions of the article seen just before and just after ``version_id``: one query
    where ``previous_version`` and ``next_version`` make two (an article has a few versions)."""
    ids = [vid for (vid,) in conn.execute(
        "SELECT id FROM versions WHERE article_id = ? ORDER BY first_seen, id", (article_id,))]
    at = ids.index(version_id)
    return (ids[at - 1] if at else None), (ids[at + 1] if at + 1 < len(ids) else None)


def record_change(
    conn: sqlite3.Connection, version_id: int, *, successor: bool = True,
    filed: tuple[int, str, dict[str, Any]] | None = None, known: KnownChange | None = None,
) -> None:
    """(Re)write the ``version_changes`` row of a version against the one seen before it.

    A first version has no row. A version stored out of order (a capture older than the latest,
    imported later) changes what its successor is compared with, so the successor's row is
    rewritten too (``successor``; a backfill in order has no need).

    ``filed``: the version was just filed, as (article id, first seen, ``record_version``), so
    it is not read back, and its neighbours are found in one query; ``known``: its summary was
    made beforehand, used if its previous version is still the one it names.
    """
    columns = ("version_id", "article_id", "previous_version_id", "seen_at", *SUMMARY_COLUMNS)
    sql = (f"INSERT OR REPLACE INTO version_changes ({', '.join(columns)})"
           f" VALUES ({', '.join('?' * len(columns))})")
    if filed is not None:
        article_id, first_seen, new = filed
        before, after = _neighbours(conn, article_id, version_id)
        if before is None:
            conn.execute("DELETE FROM version_changes WHERE version_id = ?", (version_id,))
        else:
            summary = (known.summary if known is not None and known.previous_version_id == before
                       else change_summary(conn, before, new))
            conn.execute(sql, (version_id, article_id, before, first_seen,
                               *(summary[c] for c in SUMMARY_COLUMNS)))
        if after is None or not successor:
            return
        # The successor now follows this version.
        following = load_version(conn, after)
        summary = diff_versions({**new, "id": version_id}, following).summary()
        conn.execute(sql, (after, article_id, version_id, following["first_seen"],
                           *(summary[c] for c in SUMMARY_COLUMNS)))
        return
    for target in (version_id, next_version(conn, version_id) if successor else None):
        if target is None:
            continue
        before = previous_version(conn, target)
        if before is None:
            conn.execute("DELETE FROM version_changes WHERE version_id = ?", (target,))
            continue
        new = load_version(conn, target)
        summary = diff_versions(load_version(conn, before), new).summary()
        conn.execute(sql, (target, new["article_id"], before, new["first_seen"],
                           *(summary[c] for c in SUMMARY_COLUMNS)))


def backfill(conn: sqlite3.Connection) -> None:
    """Write the ``version_changes`` row of every version that has a predecessor."""
    for (version_id,) in conn.execute(
        "SELECT id FROM versions ORDER BY article_id, first_seen, id"
    ).fetchall():
        record_change(conn, version_id, successor=False)


def article_versions(conn: sqlite3.Connection, article_id: int) -> list[int]:
    """An article's version ids in the order they were first seen: version N is item N-1."""
    return [vid for (vid,) in conn.execute(
        "SELECT id FROM versions WHERE article_id = ? ORDER BY first_seen, id", (article_id,))]


def compare(
    conn: sqlite3.Connection, article_id: int, from_number: int | None = None,
    to_number: int | None = None,
) -> tuple[VersionDiff, int, int]:
    """The diff between two versions of an article, by their numbers (1 = first seen).

    By default the latest version against the one before it; ``to`` alone compares it with
    its predecessor, ``from`` alone with the latest. Returns the diff and the two numbers;
    ``ValueError`` names a number the article does not have.
    """
    ids = article_versions(conn, article_id)
    count = len(ids)
    to_n = to_number if to_number is not None else count
    from_n = from_number if from_number is not None else max(1, to_n - 1)
    for n in (from_n, to_n):
        if not 1 <= n <= count:
            raise ValueError(f"article {article_id} has versions 1 to {count}, not {n}")
    diff = diff_versions(load_version(conn, ids[from_n - 1]), load_version(conn, ids[to_n - 1]))
    return diff, from_n, to_n
