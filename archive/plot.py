"""A chart of articles per publication day, by portal: ``newscrawler stats --plot FILE.png``.

matplotlib is an optional extra (``.venv/bin/pip install -e '.[plot]'`` in a source checkout);
nothing else in the archive imports it. The chart is written with the Agg backend (no display
needed), in the format the file name says (PNG, SVG, PDF). Its title and labels are Chinese with
English beside them when a CJK font is installed (Noto CJK, ``fonts-noto-cjk`` on Debian; Source
Han; WenQuanYi), English only otherwise, so the chart never shows missing-glyph boxes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .export import MissingDependency

HINT = ("plotting needs matplotlib, the plot extra: in a source checkout"
        " .venv/bin/pip install -e '.[plot]' (an installed package: pip install 'newscrawler[plot]')")
# Families that hold the Chinese characters, best first; any other family named "CJK" after them.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Serif CJK SC",
                "Noto Serif CJK TC", "Noto Serif CJK JP", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback")


def require_matplotlib() -> None:
    """``MissingDependency`` (with how to install it) when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise MissingDependency(HINT) from exc


def cjk_font() -> str | None:
    """The family of an installed font with Chinese characters, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return next((name for name in sorted(installed) if "CJK" in name), None)


def daily_counts(by_day: list[dict[str, Any]]) -> dict[str, dict[date, int]]:
    """Articles per day for each portal, every day between its first and last one (0 for a day
    without articles: a gap must show as one), undated articles left out."""
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for row in by_day:
        try:
            day = date.fromisoformat(str(row["day"]))
        except ValueError:  # 'undated'
            continue
        counts[row["portal"]][day] = counts[row["portal"]].get(day, 0) + int(row["articles"])
    filled: dict[str, dict[date, int]] = {}
    for portal, days in sorted(counts.items()):
        first, last = min(days), max(days)
        filled[portal] = {first + timedelta(n): days.get(first + timedelta(n), 0)
                          for n in range((last - first).days + 1)}
    return filled


def plot_by_day(by_day: list[dict[str, Any]], path: str | Path) -> dict[str, Any]:
    """Write the chart; returns what it shows: ``days`` plotted, ``portals``, the ``font``."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    counts = daily_counts(by_day)
    font = cjk_font()
    with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": [font or "DejaVu Sans", "DejaVu Sans"]}):
        figure, axes = plt.subplots(figsize=(10, 4.5), layout="constrained")
        for portal, days in counts.items():
            axes.plot(mdates.date2num(list(days)), list(days.values()), marker="o", markersize=3,
                      label=portal)
        axes.set_title("每日文章数 · Articles per day" if font else "Articles per day")
        axes.set_xlabel("发布日期 · publication day" if font else "publication day")
        axes.set_ylabel("文章 · articles" if font else "articles")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
        locator = mdates.AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        axes.grid(True, alpha=0.3)
        if counts:
            axes.legend(title="portal")
        else:
            axes.text(0.5, 0.5, "no dated articles", ha="center", va="center", transform=axes.transAxes)
        figure.savefig(path, dpi=100)
        plt.close(figure)
    return {"days": sum(len(days) for days in counts.values()), "portals": list(counts), "font": font}
