"""Showing a ``VersionDiff``: on a terminal (rich) and as a standalone HTML page.

Characters deleted are written ``[-like this-]`` and characters inserted ``{+like this+}``, as
``git diff --word-diff`` does, on a terminal and in a file alike, so a diff piped into a file or
pasted into a paper still says what changed; a terminal also colours them (red struck through,
green underlined). HTML marks them with ``<del>`` and ``<ins>``.
"""

from __future__ import annotations

import html
import io
from typing import Any

from rich.console import Console
from rich.text import Text

from .diff import FieldChange, ParagraphChange, Segment, VersionDiff

DELETE_STYLE = "red strike"
INSERT_STYLE = "green underline"
# Kept paragraphs around a change shown for context; the rest are counted, not printed.
CONTEXT = 1


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(value) or "(none)"
    return str(value)


def _marked(segments: tuple[Segment, ...]) -> Text:
    text = Text()
    for segment in segments:
        if segment.op == "delete":
            text.append(f"[-{segment.text}-]", style=DELETE_STYLE)
        elif segment.op == "insert":
            text.append(f"{{+{segment.text}+}}", style=INSERT_STYLE)
        else:
            text.append(segment.text)
    return text


def _field_lines(change: FieldChange) -> list[Text]:
    if change.segments:
        return [Text(f"{change.name}: ").append_text(_marked(change.segments))]
    line = Text(f"{change.name}: ")
    line.append(f"[-{_value(change.old)}-]", style=DELETE_STYLE)
    line.append(" ")
    line.append(f"{{+{_value(change.new)}+}}", style=INSERT_STYLE)
    return [line]


def _shown(paragraphs: list[ParagraphChange]) -> list[ParagraphChange | int]:
    """The changed paragraphs with ``CONTEXT`` kept ones around them; runs of other kept
    paragraphs become their count."""
    near = {i for i, p in enumerate(paragraphs) if p.op != "equal"}
    keep = {j for i in near for j in range(i - CONTEXT, i + CONTEXT + 1)}
    out: list[ParagraphChange | int] = []
    for i, paragraph in enumerate(paragraphs):
        if i in keep:
            out.append(paragraph)
        elif out and isinstance(out[-1], int):
            out[-1] += 1
        else:
            out.append(1)
    return out


def _paragraph_line(p: ParagraphChange) -> Text:
    if p.op == "equal":
        return Text(f"  ¶{(p.new_position or 0) + 1} ").append(p.new or "", style="dim")
    if p.op == "insert":
        return Text(f"+ ¶{(p.new_position or 0) + 1} ").append(f"{{+{p.new}+}}", style=INSERT_STYLE)
    if p.op == "delete":
        return Text(f"- ¶{(p.old_position or 0) + 1} ").append(f"[-{p.old}-]", style=DELETE_STYLE)
    return Text(f"~ ¶{(p.new_position or 0) + 1} ").append_text(_marked(p.segments))


def terminal(diff: VersionDiff, title: str, *, color: bool, width: int | None = None) -> str:
    """The diff as text: a title, the changed fields, then the paragraphs that changed."""
    lines = [Text(title, style="bold")]
    summary = diff.summary()
    if not diff.changed:
        lines.append(Text("no differences in the compared fields"))
    else:
        lines.append(Text(
            f"changed: {', '.join(diff.changed)}; {summary['chars_inserted']} characters inserted, "
            f"{summary['chars_deleted']} deleted; paragraphs: {summary['paragraphs_inserted']} "
            f"inserted, {summary['paragraphs_deleted']} deleted, "
            f"{summary['paragraphs_rewritten']} rewritten"))
    for change in diff.fields:
        lines += _field_lines(change)
    if any(p.op != "equal" for p in diff.paragraphs):
        lines.append(Text("paragraphs:"))
        for item in _shown(diff.paragraphs):
            if isinstance(item, int):
                lines.append(Text(f"  … {item} paragraphs unchanged", style="dim"))
            else:
                lines.append(_paragraph_line(item))
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, highlight=False,
                      width=width or 1_000_000, soft_wrap=width is None, emoji=False, markup=False)
    for line in lines:
        console.print(line)
    return buffer.getvalue()


def _html_marked(segments: tuple[Segment, ...]) -> str:
    parts = []
    for segment in segments:
        text = html.escape(segment.text)
        parts.append(f"<del>{text}</del>" if segment.op == "delete"
                     else f"<ins>{text}</ins>" if segment.op == "insert" else text)
    return "".join(parts)


_CSS = """body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.6}
del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}
.equal{color:#777}.op{font-family:monospace;color:#555;margin-right:.5em}"""


def to_html(diff: VersionDiff, title: str) -> str:
    """The diff as a standalone HTML page (every paragraph, kept ones greyed)."""
    out = [f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}'
           f"</title><style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    summary = diff.summary()
    out.append(f"<p>changed: {html.escape(', '.join(diff.changed) or 'nothing')}; "
               f"{summary['chars_inserted']} characters inserted, {summary['chars_deleted']} deleted</p>")
    if diff.fields:
        out.append("<dl>")
        for change in diff.fields:
            value = (_html_marked(change.segments) if change.segments else
                     f"<del>{html.escape(_value(change.old))}</del> "
                     f"<ins>{html.escape(_value(change.new))}</ins>")
            out.append(f"<dt>{change.name}</dt><dd>{value}</dd>")
        out.append("</dl>")
    for p in diff.paragraphs:
        if p.op == "equal":
            out.append(f'<p class="equal">{html.escape(p.new or "")}</p>')
        elif p.op == "insert":
            out.append(f'<p class="insert"><span class="op">+</span><ins>{html.escape(p.new or "")}</ins></p>')
        elif p.op == "delete":
            out.append(f'<p class="delete"><span class="op">−</span><del>{html.escape(p.old or "")}</del></p>')
        else:
            out.append(f'<p class="rewrite"><span class="op">~</span>{_html_marked(p.segments)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
