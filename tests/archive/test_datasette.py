"""The packaged Datasette metadata works in Datasette itself: canned queries and search."""

from __future__ import annotations

import asyncio
import json

import pytest

from archive.serve import metadata_for

datasette_app = pytest.importorskip("datasette.app")


def get(ds, path: str):
    async def fetch():
        return await ds.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture
def ds(seeded, db_path):
    seeded.close()
    return datasette_app.Datasette([str(db_path)], metadata=metadata_for(db_path))


def test_canned_search_finds_traditional_article_from_simplified(ds, db_path):
    name = db_path.stem
    response = get(ds, f"/{name}/search.json?q=%E5%BE%90%E9%97%BB&_shape=array")  # 徐闻
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [(r["id"], r["headline"], r["reporters"]) for r in rows] == [
        (1, "徐聞奮力推進文明城市衛生縣城創建", "記者 陳荔雅; 特約通訊員 譚總")]


def test_canned_rankings_and_reporter_queries(ds, db_path):
    name = db_path.stem
    response = get(ds, f"/{name}/rankings_over_time.json?portal=zjdaily&list=&_shape=array")
    assert [(r["rank"], r["snapshots"]) for r in response.json()][:1] == [(1, 1)]
    response = get(ds, f"/{name}/articles_by_reporter.json?name=%E9%99%B3&_shape=array")  # 陳
    assert [(r["article_id"], r["name"]) for r in response.json()] == [(1, "陳荔雅")]


def test_descriptions_are_served(ds, db_path):
    response = get(ds, "/-/metadata.json")
    metadata = response.json()
    tables = metadata["databases"][db_path.stem]["tables"]
    assert "versions" in tables and tables["articles"]["columns"]["canonical_url"]
    assert json.dumps(metadata, ensure_ascii=False).count("search") > 1
