"""JSON held in the archive's text columns (a run's ``settings``, ``stats``, ``never_shown``),
read so that a value edited by hand or written by another program keeps nothing else from being
read: the value is taken as empty, and why it could not be read is said in one warning line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean"}

T = TypeVar("T", dict[str, Any], list[Any])


def decode(text: str | bytes | None, kind: type[T]) -> tuple[T, str | None]:
    """The column's JSON value, of ``kind`` (``dict`` or ``list``), and None; or an empty one and
    why the text could not be read as such. No value (NULL, '') is an empty one, read."""
    if text is None or text == "":
        return kind(), None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        # Some of json's messages end "starting at", for the position that follows them.
        return kind(), f"not JSON ({exc.msg.removesuffix(' at')} at character {exc.pos})"
    except (ValueError, RecursionError) as exc:  # bytes that are not UTF-8; nesting too deep
        return kind(), f"not JSON ({type(exc).__name__})"
    if not isinstance(value, kind):
        return kind(), f"JSON {_JSON_KINDS.get(type(value), 'null')}, not {_JSON_KINDS[kind]}"
    return value, None


def unreadable_warning(named: Iterable[str], outcome: str = "listed without them") -> str | None:
    """One line naming the values (``COLUMN of run #ID``) that could not be read, and what was
    done without them; None when there are none."""
    named = list(named)
    if not named:
        return None
    return ("Warning: not readable as JSON in the archive (edited by hand, or written by another"
            f" program?): {', '.join(named)}; {outcome}")
