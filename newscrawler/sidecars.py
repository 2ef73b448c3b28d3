"""Header sidecars: ``X.headers.json`` beside a saved page ``X`` holds the HTTP headers it was
served with (a Content-Type with a wrong charset, say), and ``.headers.json`` in a directory holds
headers for every page below it (a saved copy's capture ``Date``), for ``newscrawler extract`` and
offline crawls (``--replay DIR``).

A sidecar is a JSON object of header names and values (strings or numbers; a ``Date``, the
capture time, an HTTP date), or a list of such objects applied in order. Keys starting with ``:`` are
instructions to the replay server (``:status``, ``:host`` …, see ``newscrawler.replay``), not
headers. A malformed sidecar is a mistake in the saved copy: ``SidecarError`` says which file
and what is wrong, and the commands report it before they read or serve anything.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

SUFFIX = ".headers.json"


class SidecarError(ValueError):
    """A header sidecar that is not a JSON object of header names and values."""


def sidecar_of(page: Path) -> Path:
    return page.with_name(page.name + SUFFIX)


DIRECTORY_SIDECAR = ".headers.json"
# Replay instructions and the JSON types of their values.
INSTRUCTIONS: dict[str, tuple[type, ...]] = {
    ":status": (int,), ":scheme": (str,), ":host": (str,), ":times": (int,), ":truncate": (int,),
    ":hangup": (bool,), ":body": (str,),
}
# An object with one of these applies to some requests only: not to a page read from disk.
CONDITIONS = (":scheme", ":host", ":times")


def read_rules(path: Path) -> list[dict[str, Any]]:
    """The rule objects of the sidecar at ``path``, checked: headers as strings (numbers written
    as strings; a ``Date`` an HTTP date), instructions as their types."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SidecarError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise SidecarError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    objects = data if isinstance(data, list) else [data]
    if not objects or not all(isinstance(item, dict) for item in objects):
        raise SidecarError(f"{path}: expected a JSON object of header names and values (or a list "
                           f"of them), got {json.dumps(data, ensure_ascii=False)[:60]}")
    return [_checked_rule(path, item) for item in objects]


def _checked_rule(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = {}
    for name, value in data.items():
        if name.startswith(":"):
            kinds = INSTRUCTIONS.get(name)
            if kinds is None:
                raise SidecarError(f"{path}: unknown instruction {name!r} "
                                   f"(known: {', '.join(INSTRUCTIONS)})")
            # bool is an int: true is no status.
            if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
                raise SidecarError(f"{path}: instruction {name!r} must be a {kinds[0].__name__}")
            rule[name] = value
            continue
        # bool is an int: true is no header value. A number is written as HTTP writes it
        # (Retry-After: 5), a convenience for whoever writes a sidecar by hand.
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise SidecarError(f"{path}: header {name!r} must be a string, "
                               f"got {json.dumps(value, ensure_ascii=False)[:60]}")
        value = str(value)
        if not name.strip() or any(c in name for c in ":\r\n") or any(c in value for c in "\r\n"):
            raise SidecarError(f"{path}: header {name!r} has a line break or colon where it cannot")
        # A saved copy's Date is its pages' fetch time (extract, and the crawl of a replay): one
        # that does not parse would leave relative times resolved against today, silently.
        if name.strip().lower() == "date" and parse_http_date(value) is None:
            raise SidecarError(f"{path}: header {name!r} is not an HTTP date like "
                               f"'Mon, 01 Jul 2024 03:00:00 GMT', got {json.dumps(value, ensure_ascii=False)[:60]}")
        rule[name] = value
    return rule


def read_sidecar(path: Path) -> dict[str, str]:
    """The headers the sidecar at ``path`` gives a page read from disk: its unconditional
    objects' headers, later ones winning; numbers are written as HTTP writes them."""
    headers: dict[str, str] = {}
    for rule in read_rules(path):
        if not any(key in rule for key in CONDITIONS):
            headers.update({k: v for k, v in rule.items() if not k.startswith(":")})
    return headers


def page_headers(page: Path) -> dict[str, str]:
    """The headers of the saved page ``page``: its directories' ``.headers.json`` from the top
    down, then its own sidecar (the nearest wins); none without any."""
    headers: dict[str, str] = {}
    folders = [page.resolve().parent, *page.resolve().parent.parents]
    for sidecar in [d / DIRECTORY_SIDECAR for d in reversed(folders)] + [sidecar_of(page)]:
        if sidecar.is_file():
            headers.update(read_sidecar(sidecar))
    return headers


def capture_date(headers: dict[str, str]) -> datetime | None:
    """When a saved page was captured, from its ``Date`` header; None without a valid one."""
    value = next((v for k, v in headers.items() if k.lower() == "date"), None)
    return parse_http_date(value) if value else None


def parse_http_date(value: str) -> datetime | None:
    """An HTTP date (``Mon, 01 Jul 2024 03:00:00 GMT``) in UTC; None when it is not one. A date
    without a zone (``-0000``) is read as UTC, as HTTP dates are."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def check_sidecars(root: Path) -> None:
    """``SidecarError`` for the first malformed sidecar under the directory ``root``."""
    for sidecar in sorted(root.rglob("*" + SUFFIX)):
        if sidecar.is_file():
            read_sidecar(sidecar)
