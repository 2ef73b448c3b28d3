"""Header sidecars: ``X.headers.json`` beside a saved page ``X`` holds the HTTP headers it was
served with (a Content-Type with a wrong charset, say), for ``newscrawler extract`` and offline
crawls (``--replay DIR``).

A sidecar is a JSON object of header names and values. A malformed one is a mistake in the saved
copy: ``SidecarError`` says which file and what is wrong, and the commands report it before they
read or serve anything.
"""

from __future__ import annotations

import json
from pathlib import Path

SUFFIX = ".headers.json"


class SidecarError(ValueError):
    """A header sidecar that is not a JSON object of header names and values."""


def sidecar_of(page: Path) -> Path:
    return page.with_name(page.name + SUFFIX)


def read_sidecar(path: Path) -> dict[str, str]:
    """The headers in the sidecar at ``path``; numbers are written as HTTP writes them."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SidecarError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise SidecarError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"{path}: expected a JSON object of header names and values, "
                           f"got a {type(data).__name__}")
    headers = {}
    for name, value in data.items():
        # bool is an int: true is no header value.
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise SidecarError(f"{path}: header {name!r} must be a string, "
                               f"got {json.dumps(value, ensure_ascii=False)[:60]}")
        if not name.strip() or any(c in name for c in ":\r\n") or any(c in str(value) for c in "\r\n"):
            raise SidecarError(f"{path}: header {name!r} has a line break or colon where it cannot")
        headers[name] = str(value)
    return headers


def page_headers(page: Path) -> dict[str, str]:
    """The headers of the saved page ``page`` from its sidecar; none without one."""
    sidecar = sidecar_of(page)
    return read_sidecar(sidecar) if sidecar.is_file() else {}


def check_sidecars(root: Path) -> None:
    """``SidecarError`` for the first malformed sidecar under the directory ``root``."""
    for sidecar in sorted(root.rglob("*" + SUFFIX)):
        if sidecar.is_file():
            read_sidecar(sidecar)
