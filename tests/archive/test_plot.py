"""``newscrawler stats --plot FILE.png``: articles per day as a chart (the ``plot`` extra)."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from click.testing import CliRunner

from archive import cli
from archive.plot import daily_counts


def test_days_without_articles_are_zero_and_undated_articles_left_out() -> None:
    rows = [{"portal": "zjdaily", "day": "2022-04-17", "articles": 2},
            {"portal": "zjdaily", "day": "2022-04-20", "articles": 1},
            {"portal": "zjdaily", "day": "undated", "articles": 5},
            {"portal": "zjdaily-epaper", "day": "2022-04-18", "articles": 9}]
    assert daily_counts(rows) == {
        "zjdaily": {date(2022, 4, 17): 2, date(2022, 4, 18): 0, date(2022, 4, 19): 0, date(2022, 4, 20): 1},
        "zjdaily-epaper": {date(2022, 4, 18): 9},
    }


def test_without_matplotlib_the_plot_is_refused_with_how_to_install_it(seeded, db_path, tmp_path,
                                                                       monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    out = tmp_path / "days.png"
    result = CliRunner().invoke(cli.main, ["stats", "--plot", str(out), "--db", str(db_path)])
    assert result.exit_code == 1
    assert ".venv/bin/pip install -e '.[plot]'" in result.output and "Traceback" not in result.output
    assert "Archive" not in result.output  # nothing done: the table is not printed either
    assert not out.exists()


@pytest.mark.parametrize("command", ["stats", "rankings"])
@pytest.mark.parametrize("name", ["days.txt", "days"])
def test_a_plot_named_for_no_image_format_is_a_usage_error(seeded, db_path, tmp_path, command,
                                                           name) -> None:
    # days.txt ended in matplotlib's ValueError after the archive was read; days was written as
    # days.png while the command said it plotted to days.
    out = tmp_path / name
    result = CliRunner().invoke(cli.main, [command, "--plot", str(out), "--db", str(db_path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--plot': {str(out)!r}: name the chart .png, .svg or .pdf")
    assert not [path for path in tmp_path.iterdir() if path.name.startswith("days")]


def test_the_plot_is_an_image_of_the_articles_per_day(seeded, db_path, tmp_path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install -e '.[plot]')")
    out = tmp_path / "days.png"
    result = CliRunner().invoke(cli.main, ["stats", "--plot", str(out), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "Articles by portal and day" in result.output
    assert f"articles per day of 1 portals over 1 days plotted to {out}" in result.output
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1000, 450)


def test_chinese_labels_with_a_cjk_font_when_one_is_installed(tmp_path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install -e '.[plot]')")
    import warnings

    from archive.plot import cjk_font, plot_by_day

    font = cjk_font()
    rows = [{"portal": "zjdaily", "day": "2022-04-19", "articles": 3}]
    with warnings.catch_warnings():
        # matplotlib warns "Glyph … missing from font" when it draws a character it has no glyph for.
        warnings.simplefilter("error")
        shown = plot_by_day(rows, tmp_path / "days.svg")
    assert shown == {"days": 1, "portals": ["zjdaily"], "font": font}
    svg = (tmp_path / "days.svg").read_text(encoding="utf-8")
    if font is None:
        assert "Articles per day" in svg
        pytest.skip("no CJK font installed (fonts-noto-cjk): English labels only")
    assert "CJK" in font or "WenQuanYi" in font or "Han" in font or "Droid" in font
