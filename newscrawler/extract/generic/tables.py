"""Data tables in the text: one paragraph per row, its cells joined by a space.

A table set inside the article text to show data (results, prices, a list of winners) renders as
rows of cells side by side; each row reads as one line, so each row is one paragraph
(``<tr><td>1</td><td>张三</td><td>一等奖</td></tr>`` gives ``1 张三 一等奖``), not one paragraph per
cell. Only a table of short cells, several rows of several cells each, with no picture and no
table inside it is read so: a layout table (a 2005-era page whose whole text sits in one
``<td>``, a picture beside its caption, a photo grid) keeps one line per block. The table must
sit inside the body block: a layout table holding the body block is never looked at. A data
table's row opening on a label cell (``索引号：``) above the text is a government portal's
information table, not text (``is_label_row``).
"""

from __future__ import annotations

import re
from typing import Any

from .lines import Line, tag_of

_CELLS = ("td", "th")
_ROW_GROUPS = ("tbody", "thead", "tfoot")
# The longest cell of a data table (its lines' characters) and the most lines it sets: a cell
# holding more is a layout table's column of text.
_CELL_CHARS = 80
_CELL_LINES = 3
# How many rows of two cells or more make a data table: one such row is a layout's meta row.
_DATA_ROWS = 2


def table_rows(body: list[Line], container: Any) -> list[Line]:
    """The body's lines with the cells of each row of a data table read as one line."""
    rows: list[Any] = []  # each line's row in a table inside the container, or None
    for line in body:
        cell = _cell_of(line.owner, container)
        rows.append(cell.getparent() if cell is not None and tag_of(cell.getparent()) == "tr" else None)
    if all(row is None for row in rows):
        return body  # most pages: no table inside the text
    tables: dict[Any, bool] = {}
    merged: list[Line] = []
    position = 0
    while position < len(body):
        row = rows[position]
        end = position + 1
        while end < len(body) and row is not None and rows[end] is row:
            end += 1
        if row is None or end - position == 1 or not _is_data_table(_table_of(row), body, rows, tables):
            merged.extend(body[position:end])
        else:
            merged.append(_joined(body[position:end], row))
        position = end
    return merged


def _cell_of(element: Any, container: Any) -> Any | None:
    """The innermost table cell holding a block, below the container; None outside any."""
    while element is not None and element is not container:
        if tag_of(element) in _CELLS:
            return element
        element = element.getparent()
    return None


def _table_of(row: Any) -> Any:
    parent = row.getparent()
    return parent.getparent() if tag_of(parent) in _ROW_GROUPS else parent


def _is_data_table(table: Any, body: list[Line], rows: list[Any], known: dict[Any, bool]) -> bool:
    """A table of several rows of several short cells, with no picture or table inside."""
    if table in known:
        return known[table]
    verdict = False
    if table is not None and table.find(".//table") is None and table.find(".//img") is None:
        cells: dict[Any, list[Line]] = {}
        for line, row in zip(body, rows, strict=True):
            if row is not None and _table_of(row) is table:
                cell = _cell_of(line.owner, table)
                cells.setdefault(cell, []).append(line)
        short = all(
            len(lines) <= _CELL_LINES and sum(line.chars for line in lines) <= _CELL_CHARS
            for lines in cells.values()
        )
        per_row: dict[Any, int] = {}
        for cell in cells:
            per_row[cell.getparent()] = per_row.get(cell.getparent(), 0) + 1
        verdict = short and sum(1 for count in per_row.values() if count >= 2) >= _DATA_ROWS
    known[table] = verdict
    return verdict


def _joined(lines: list[Line], row: Any) -> Line:
    """One line for a row: its cells' text joined by a space, owned by the row."""
    return Line(
        " ".join(line.text for line in lines),
        row,
        sum(line.chars for line in lines),
        sum(line.link_chars for line in lines),
        lines[-1].index,  # the row ends where its last cell does: the text's end is found by it
        " ".join(line.spaced for line in lines),
    )


# A cell naming the field of the cell after it, as an information table sets it: 索引号：, 发布机构：.
_LABEL_CELL = re.compile(r"[^\s:：。，]{1,10}\s*[:：]")


def is_label_row(line: Line) -> bool:
    """True for a data table's row that opens on a label cell (<td>索引号：</td><td>…</td>): a row
    of a government portal's information table (索引号, 发布机构, 成文日期), not text."""
    if tag_of(line.owner) != "tr":
        return False
    for cell in line.owner:
        if tag_of(cell) in _CELLS:
            text = "".join(cell.itertext()).strip()
            if text:
                return _LABEL_CELL.fullmatch(text) is not None
    return False
