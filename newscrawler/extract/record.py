"""The article record: the contract between extraction and everything downstream.

``FIELDS`` is the field table (name, type, meaning). ``docs/record.md`` is generated from it
(``python -m newscrawler.extract.record > docs/record.md``) and a test keeps the two equal, and
``check_record`` validates a record against it; every test that produces records calls it.

Types are written in a small notation: ``str``, ``int``, ``str?`` (may be null), ``list[str]``,
and named object types (``person``, ``image`` …) whose keys are listed in ``OBJECTS``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

# name -> (type, meaning). Order is the order of keys in every record.
FIELDS: dict[str, tuple[str, str]] = {
    "url": (
        "str?",
        "The URL the page was fetched from, as requested. Null only for a page read outside a crawl "
        "whose address is unknown (`newscrawler extract FILE` without `--url` on a page without a "
        "canonical link); such a record carries the warning `no_url`. Crawled records always have one.",
    ),
    "canonical_url": (
        "str?",
        "One URL per article: www./m. twins and tracking parameters fold into it. Null exactly when "
        "`url` is.",
    ),
    "portal": ("str", "Name of the portal profile (`zjdaily`), or `generic`."),
    "article_id": ("str?", "The portal's own article id, from the URL (`/p/<id>.html`)."),
    "headline": ("str", "The headline shown above the body, normalised. Required."),
    "kicker": ("str?", "The line set above the headline (引题) on newspaper pages; null elsewhere."),
    "subtitle": ("str?", "The subheading set below the headline (副题); null when there is none."),
    "published_at": (
        "datetime?",
        "Publication time, ISO 8601 with a UTC offset; the portal's zone when the page shows none.",
    ),
    "published_at_raw": ("str?", "The publication time exactly as the page shows it."),
    "source": ("str?", "The source outlet (来源), never a person."),
    "paper": (
        "str?",
        "The newspaper the article was printed in: an e-paper page's (湛江日报, 湛江晚报), or the one a web "
        "article names in its print note (《人民日报》（2024年06月24日 11版）); else null.",
    ),
    "edition_date": ("str?", "The date of the printed edition, `YYYY-MM-DD`; null when not printed."),
    "page": ("str?", "The printed page as labelled (`A01版：要闻`, `11版`); null when not printed."),
    "reporters": (
        "list[person]",
        "People who made the content (记者, 通讯员, 摄 …), in page order; an office, a school or a "
        "site printed in the author field (作者：市应急管理局) is no person and is left out. A "
        "person credited in two places (作者：张三 over the text, 本报讯（记者 张三） in it) is "
        "listed once, in the first place, with the role that says the most (a role of its own over "
        "the label 作者, over none); two roles of their own (记者 and 通讯员) and a picture or video "
        "credit (张三 摄, 视频：张三) stay credits of their own. Who made the video or the graphics "
        "(视频, 拍摄, 摄像, 剪辑, 制图, 设计, 海报), the narrator of a first-person account (口述, "
        "beside the 整理 who wrote it down) and who sent the story in (投稿人) made the content too "
        "and are reporters with that role. A photographer credited only in a caption under a picture "
        "in the text (（张三 摄）) is listed as well, with role 摄."
    ),
    "editors": ("list[person]", "Editorial staff (编辑, 责任编辑, 值班主任 …), in page order, each credit once;"
                " also the steps of a portal's sign-off chain (审核人, 签发人) and who put the story online"
                " (发布人, 发布者), who are site staff, not writers."),
    "paragraphs": (
        "list[str]",
        "Body text paragraphs in order, without credit lines, widgets or sidebars. At least one. "
        "A caption set as its own block in the body is a paragraph when the portal shows it as one "
        "(the generic extractor keeps them); it is also the image's caption.",
    ),
    "images": ("list[image]", "Images in the body, in order, with their captions."),
    "rankings": ("list[ranking]", "Hot-news lists on the page at fetch time, every period tab the page carries."),
    "related": ("list[related]", "Other linked story lists on the page at fetch time (e.g. 湛圖片)."),
    "comments": ("comments?", "The comment counts the page shows, or null when it shows none."),
    "script": ("script?", "`zh-Hant` or `zh-Hans`: the script the text is written in (never converted)."),
    "encoding": ("str", "The codec that decoded the page bytes (e.g. `utf-8`, `gb18030`)."),
    "fetched_at": ("datetime", "When the page was fetched, ISO 8601 in UTC."),
    "extractor": (
        "str",
        "Profile and layout version that produced the record (`zjdaily@1`); `+generic` when the generic "
        "extractor read fields the profile's selectors missed (`zjdaily@1+generic`, see `docs/fallback.md`).",
    ),
    "warnings": (
        "list[str]",
        "What was missing, doubtful or read by the fallback (`missing:editors`, `charset_mismatch:…`, "
        "`fallback:paragraphs`).",
    ),
}

# Named object types: key -> type.
OBJECTS: dict[str, dict[str, str]] = {
    "person": {"role": "str?", "name": "str"},
    "image": {"url": "str", "caption": "str?"},
    "ranking": {"list": "str", "period": "str?", "rank": "int", "title": "str", "url": "str?"},
    "related": {"list": "str", "title": "str", "url": "str?"},
    "comments": {"participants": "int?", "count": "int?"},
}

OBJECT_MEANINGS: dict[str, str] = {
    "person": "`role` as shown on the page (記者, 摄, 编辑 …) or null when none is shown; `name` cleaned.",
    "image": (
        "`url` absolute (as written on the page when the page's own URL is unknown); `caption` the "
        "text shown with the image, or null."
    ),
    "ranking": (
        "`list` the box title (熱點新聞排行); `period` the tab (月點擊); `rank` from 1;"
        " `title`, `url` of the story."
    ),
    "related": "`list` the box title (湛圖片); `title` and `url` of the story.",
    "comments": "`participants` (N人參與) and `count` (N條評論) as the page shows them.",
}

REQUIRED_NON_EMPTY = ("headline", "paragraphs")
_SCRIPTS = {"zh-Hant", "zh-Hans"}
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")


class RecordError(ValueError):
    """A record that breaks the field table."""


def _check(value: Any, type_: str, path: str) -> None:
    if type_.endswith("?"):
        if value is None:
            return
        type_ = type_[:-1]
    if type_.startswith("list[") and type_.endswith("]"):
        if not isinstance(value, list):
            raise RecordError(f"{path}: expected a list, got {type(value).__name__}")
        for index, item in enumerate(value):
            _check(item, type_[5:-1], f"{path}[{index}]")
        return
    if type_ in OBJECTS:
        if not isinstance(value, dict):
            raise RecordError(f"{path}: expected an object, got {type(value).__name__}")
        keys = OBJECTS[type_]
        if set(value) != set(keys):
            raise RecordError(f"{path}: keys {sorted(value)} != {sorted(keys)}")
        for key, key_type in keys.items():
            _check(value[key], key_type, f"{path}.{key}")
        return
    if type_ == "str":
        if not isinstance(value, str):
            raise RecordError(f"{path}: expected a string, got {type(value).__name__}")
        if "\ufffd" in value:
            raise RecordError(f"{path}: contains U+FFFD (a decoding error)")
    elif type_ == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise RecordError(f"{path}: expected an integer, got {type(value).__name__}")
    elif type_ == "datetime":
        if not isinstance(value, str) or not _OFFSET.search(value):
            raise RecordError(f"{path}: expected ISO 8601 with a UTC offset, got {value!r}")
        datetime.fromisoformat(value)
    elif type_ == "script":
        if value not in _SCRIPTS:
            raise RecordError(f"{path}: expected one of {sorted(_SCRIPTS)}, got {value!r}")
    else:  # pragma: no cover - a typo in the table itself
        raise RecordError(f"{path}: unknown type {type_!r} in the field table")


def check_record(record: dict[str, Any]) -> None:
    """Raise ``RecordError`` unless ``record`` has exactly the table's keys, with its types."""
    if list(record) != list(FIELDS):
        missing = [k for k in FIELDS if k not in record]
        extra = [k for k in record if k not in FIELDS]
        raise RecordError(f"keys differ from the field table: missing {missing}, extra {extra}")
    for name, (type_, _) in FIELDS.items():
        _check(record[name], type_, name)
    for name in REQUIRED_NON_EMPTY:
        if not record[name]:
            raise RecordError(f"{name}: required and empty")
    if (record["url"] is None) != (record["canonical_url"] is None):
        raise RecordError("url and canonical_url: null only together")
    if record["url"] is None and "no_url" not in record["warnings"]:
        raise RecordError("url: null without the warning no_url")


def field_table_markdown() -> str:
    """The field table as Markdown; ``docs/record.md`` holds exactly this text."""
    lines = [
        "# The article record",
        "",
        "Every article page becomes one record with exactly these keys, in this order. This file is",
        "generated from `newscrawler/extract/record.py` (`python -m newscrawler.extract.record`);",
        "a test checks that it is current and that every record the tests produce matches it.",
        "A type ending in `?` may be null.",
        "",
        "| name | type | meaning |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{name}` | `{type_}` | {meaning} |" for name, (type_, meaning) in FIELDS.items()]
    lines += ["", "## Object types", "", "| type | keys | meaning |", "| --- | --- | --- |"]
    for name, keys in OBJECTS.items():
        spec = ", ".join(f"`{k}: {t}`" for k, t in keys.items())
        lines.append(f"| `{name}` | {spec} | {OBJECT_MEANINGS[name]} |")
    lines += [
        "",
        "`datetime` is an ISO 8601 string with a UTC offset (`2022-04-19T17:31:00+08:00`).",
        "`script` is `zh-Hant` or `zh-Hans`. No string holds U+FFFD.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(field_table_markdown(), end="")
