"""The packaged Datasette metadata and research front end work in Datasette itself: canned
queries and search, the home page's search form, article pages, hidden internal tables."""

from __future__ import annotations

import asyncio
import json

import pytest

from archive.serve import app

datasette_app = pytest.importorskip("datasette.app")


def get(ds, path: str):
    async def fetch():
        return await ds.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture
def ds(seeded, db_path):
    seeded.close()
    return app(db_path)


def test_canned_search_finds_traditional_article_from_simplified(ds, db_path):
    name = db_path.stem
    response = get(ds, f"/{name}/search.json?q=%E5%BE%90%E9%97%BB&_shape=array")  # 徐闻
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [(r["id"], r["headline"], r["reporters"], r["snippet"]) for r in rows] == [
        (1, "徐聞奮力推進文明城市衛生縣城創建", "記者 陳荔雅; 特約通訊員 譚總",
         "4月18日，[徐聞]縣召開創建全國文明城市和國家衛生縣城工作推進會。")]


def test_canned_rankings_and_reporter_queries(ds, db_path):
    name = db_path.stem
    response = get(ds, f"/{name}/rankings_over_time.json?portal=zjdaily&list=&_shape=array")
    assert [(r["rank"], r["snapshots"]) for r in response.json()][:1] == [(1, 1)]
    # List and period in the other script than the page showed them.
    response = get(ds, f"/{name}/rankings_over_time.json?portal=&list=热点新闻排行&period=月点击&_shape=array")
    assert [(r["list"], r["period"], r["rank"]) for r in response.json()] == [
        ("熱點新聞排行", "月點擊", 1), ("熱點新聞排行", "月點擊", 2)]
    response = get(ds, f"/{name}/rankings_over_time.json?portal=&list=&period=年点击&_shape=array")
    assert response.json() == []
    response = get(ds, f"/{name}/articles_by_reporter.json?name=%E9%99%B3&_shape=array")  # 陳
    assert [(r["article_id"], r["name"]) for r in response.json()] == [(1, "陳荔雅")]


def test_descriptions_are_served(ds, db_path):
    response = get(ds, "/-/metadata.json")
    metadata = response.json()
    tables = metadata["databases"][db_path.stem]["tables"]
    assert "versions" in tables and tables["articles"]["columns"]["canonical_url"]
    assert json.dumps(metadata, ensure_ascii=False).count("search") > 1


@pytest.mark.parametrize("q, snippet", [
    ("縣召", "4月18日，徐聞[縣召]開創建全國文明城市和國家衛生縣城工作推進會。"),
    ("县召 会议", "4月18日，徐聞[縣召]開創建全國文明城市和國家衛生縣城工作推進會。"),
    # Only in a name: the opening of the text.
    ("陈荔雅", "4月18日，徐聞縣召開創建全國文明城市和國家衛生縣城工作推進會。"),
])
def test_search_snippet_marks_the_first_word_in_either_script(ds, db_path, q, snippet):
    response = get(ds, f"/{db_path.stem}/search.json?q={q}&_shape=array")
    assert [r["snippet"] for r in response.json()] == [snippet]


def test_home_page_leads_with_search_and_hides_internal_tables(ds, db_path):
    html = get(ds, "/").text
    form = html.index('<form class="archive-search"')
    assert form < html.index("Questions to ask") < html.index("<h2>Tables</h2>")
    assert f'action="/{db_path.stem}/search"' in html and 'name="q"' in html
    assert "Start with the <em>search</em> query below" not in html
    tables = html.split("<h2>Tables</h2>", 1)[1]
    assert f'href="/{db_path.stem}/articles"' in tables
    internal = {"fold", "search", "repeated_chars", "bodies", "body_dictionaries", "archive_meta"}
    assert not any(f'href="/{db_path.stem}/{name}"' in tables for name in internal)
    listed = get(ds, f"/{db_path.stem}.json").json()["tables"]
    assert {t["name"] for t in listed if t["hidden"] and not t["name"].startswith("search_")} == internal


def test_canned_queries_hide_their_sql(ds, db_path):
    for query in ("search?q=%E5%BE%90%E9%97%BB", "rankings_over_time?portal=&list=",
                  "articles_by_reporter?name=%E9%99%B3"):
        html = get(ds, f"/{db_path.stem}/{query}").text
        assert "_show_sql=1" in html, query
        assert "with recursive" not in html.split("canned-query-edit-sql")[0]
        assert "select portal, list" not in html.split("canned-query-edit-sql")[0]


def test_search_results_link_to_article_pages_and_mark_the_match(ds, db_path):
    html = get(ds, f"/{db_path.stem}/search?q=%E5%BE%90%E9%97%BB").text
    assert f'<a href="/{db_path.stem}/articles/1">徐聞奮力推進文明城市衛生縣城創建</a>' in html
    assert "4月18日，<mark>徐聞</mark>縣召開" in html


def test_article_page(ds, db_path):
    response = get(ds, f"/{db_path.stem}/articles/1")
    assert response.status_code == 200
    html = response.text
    for expected in ("<h1>徐聞奮力推進文明城市衛生縣城創建</h1>", "2022-04-19 17:31", "湛江云媒",
                     "記者 陳荔雅; 特約通訊員 譚總", "編輯 吳文靜", "<p>會議通報了近期創建工作的進展情況。</p>",
                     "Versions (1)", "Captures (1)", "WARC file", "On hot lists", "熱點新聞排行"):
        assert expected in html, expected
    # The row's JSON is still Datasette's.
    assert get(ds, f"/{db_path.stem}/articles/1.json?_shape=objects").json()["rows"][0]["id"] == 1
    assert get(ds, f"/{db_path.stem}/articles/999").status_code == 404


def test_the_site_is_read_only(ds, db_path):
    response = get(ds, f"/{db_path.stem}.json?sql=delete+from+articles")
    assert response.status_code == 400
    assert get(ds, f"/{db_path.stem}/articles.json?_shape=array").json()[0]["id"] == 1


def test_serve_listens_on_loopback_by_default():
    from archive.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_canned_changes_query(ds, db_path):
    response = get(ds, f"/{db_path.stem}/changes.json?portal=&since=&kind=&_shape=array")
    assert response.status_code == 200, response.text
    assert response.json() == []  # one version, nothing changed yet


def test_rankings_chart_routes_answer_bad_input_with_a_reason(ds, db_path):
    name = db_path.stem
    response = get(ds, f"/{name}/-/rankings-chart.svg?top=zero")
    assert (response.status_code, response.text) == (400, "top must be a number from 1 to 30, not 'zero'")
    response = get(ds, f"/{name}/-/rankings-chart?period=年点击")
    assert response.status_code == 400
    assert ("no period &#39;年点击&#39; in the hot lists (periods: 周點擊 (1 snapshot), 月點擊 (1 snapshot))"
            in response.text)
    assert get(ds, "/elsewhere/-/rankings-chart.svg").status_code == 404


def test_rankings_chart_of_the_seed_articles_lists(ds, db_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install -e '.[plot]')")
    name = db_path.stem
    response = get(ds, f"/{name}/-/rankings-chart.svg?period=月点击")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    from archive.plot import cjk_font

    # Without a CJK font (fonts-noto-cjk) the chart names its lists by number (archive.rankchart).
    title = "熱點新聞排行 · 月點擊" if cjk_font() else "list 1"
    assert f"<!-- {title} -->" in response.text
    # The article page of an article on a hot list links to its chart.
    page = get(ds, f"/{name}/articles/1").text
    assert f'href="/{name}/-/rankings-chart?article=1">Its rank over time, as a chart</a>' in page
