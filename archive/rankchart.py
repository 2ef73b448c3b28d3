"""A chart of hot-list ranks over time: ``newscrawler rankings --plot FILE.png`` and the rankings
chart of ``newscrawler serve`` (``archive/site``), both drawn by ``draw``.

One panel per list (and period), time seen on the x axis, rank on the y axis with 1 on top, one
line per story (``archive.rankings.history``); a snapshot of the list without the story leaves a
gap in its line. Like ``stats --plot`` (``archive/plot.py``, whose ``cjk_font`` it uses) it needs
the ``plot`` extra and labels in Chinese with English beside them when a CJK font is installed.
Without one, stories and lists are named by URL and number instead, so no label shows
missing-glyph boxes.

The figure is built with matplotlib's object interface and never through ``pyplot``, and fonts are
set on each text rather than in the global ``rcParams``: the web front end draws charts in
worker threads, where pyplot's global state is not safe.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from .plot import cjk_font, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .rankings import Board, Story

# More panels would each be too small to read; the rest are counted, not drawn.
MAX_PANELS = 6
WIDTH_IN = 10.0
PANEL_HEIGHT_IN = 3.4
DPI = 100
# Legend labels past this many characters are cut (with …), so the panels keep their width.
LABEL_CHARS = 22


def board_title(board: Board, number: int, font: str | None, portals: int) -> str:
    """The panel's title: list · period (and the portal when the chart shows several)."""
    title = " · ".join(filter(None, (board.list_name, board.period))) if font else f"list {number}"
    return f"{title} ({board.portal})" if portals > 1 else title


def story_label(story: Story, font: str | None) -> str:
    article = f"article {story.article_id}" if story.article_id else "story"
    text = story.title if font else story.url or article
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def draw(boards: list[Board]) -> tuple[Figure, dict[str, Any]]:
    """The chart of ``boards`` (at most ``MAX_PANELS``), and what it shows: ``lists`` drawn,
    ``left_out`` lists, ``stories``, ``snapshots`` and the CJK ``font`` (None: English only)."""
    require_matplotlib()
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    shown = boards[:MAX_PANELS]
    figure = Figure(figsize=(WIDTH_IN, PANEL_HEIGHT_IN * max(1, len(shown)) + 0.6),
                    layout="constrained")
    figure.suptitle("热点排行 · Hot-list rank over time" if font else "Hot-list rank over time",
                    fontfamily=family, fontsize=14)
    portals = len({board.portal for board in shown})
    axes_list = figure.subplots(max(1, len(shown)), 1, sharex=True, squeeze=False)[:, 0]
    for number, (axes, board) in enumerate(zip(axes_list, shown, strict=False), start=1):
        times = mdates.date2num([datetime.fromisoformat(at) for at in board.snapshots])
        for story in board.stories:
            ranks = [float("nan") if rank is None else rank for rank in story.ranks]
            axes.plot(times, ranks, marker="o", markersize=4, linewidth=1.8,
                      label=story_label(story, font))
        if len(times):
            # The list's whole time seen, not only the story's: absence is part of its story.
            pad = max((times[-1] - times[0]) * 0.03, 0.25)
            axes.set_xlim(min(axes.get_xlim()[0], times[0] - pad), max(axes.get_xlim()[1], times[-1] + pad))
        axes.set_title(board_title(board, number, font, portals), fontfamily=family, loc="left")
        axes.set_ylabel("排名 · rank" if font else "rank", fontfamily=family)
        worst = max((rank for story in board.stories for rank in story.ranks if rank is not None),
                    default=1)
        axes.set_ylim(worst + 0.5, 0.5)  # inverted: rank 1 on top
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        locator = mdates.AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.grid(True, alpha=0.3)
        if board.stories:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                        prop={"family": family, "size": 8})
    if shown:
        axes_list[-1].set_xlabel("抓取时间 (UTC) · time seen (UTC)" if font else "time seen (UTC)",
                                 fontfamily=family)
    else:
        axes_list[0].text(0.5, 0.5, "no hot-list entries", ha="center", va="center",
                          transform=axes_list[0].transAxes)
    return figure, {
        "lists": len(shown), "left_out": len(boards) - len(shown),
        "stories": sum(len(board.stories) for board in shown),
        "snapshots": len({at for board in shown for at in board.snapshots}), "font": font,
    }


def write(boards: list[Board], target: str | IO[bytes], fmt: str | None = None) -> dict[str, Any]:
    """Draw the chart into a file (its format from its name: PNG, SVG, PDF) or a binary stream
    (``fmt`` says which); returns what ``draw`` returns."""
    figure, shown = draw(boards)
    # No creation date in the file: the same archive gives the same bytes.
    metadata = {"Date": None} if (fmt or str(target)).lower().endswith(("svg", "pdf")) else {}
    figure.savefig(target, format=fmt, dpi=DPI, metadata=metadata)
    return shown
