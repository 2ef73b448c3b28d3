"""Generated news articles and pages for the archive benchmarks (no network, deterministic).

Text is drawn from 3,000 CJK characters with Zipf-like frequencies, so a few characters are very
common, as in real Chinese news; pages wrap the text in a ~30 KB shared portal template.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

CHARS = [chr(cp) for cp in range(0x4E00, 0x4E00 + 3000)]
CUMULATIVE = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(CHARS))))
PUNCTUATION = "，。、"


def text(rng: random.Random, size: int) -> str:
    chars = rng.choices(CHARS, cum_weights=CUMULATIVE, k=size)
    for i in range(rng.randint(8, 20), size, rng.randint(8, 20)):
        chars[i] = rng.choice(PUNCTUATION)
    return "".join(chars)


def template(rng: random.Random) -> tuple[str, str]:
    """The shared head and foot of every page of the generated portal."""
    nav = "".join(f'<li><a href="/c/{i}.html">{text(rng, 4)}</a></li>' for i in range(120))
    script = "".join(f"var v{i} = '{rng.getrandbits(64):x}';" for i in range(150))
    hot = "".join(f'<li><a href="/p/{i}.html">{text(rng, 14)}</a></li>' for i in range(40))
    head = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><script>{script}</script>"
            f"<style>{'.c{color:#333;margin:0 auto;}' * 200}</style></head><body>"
            f"<nav><ul>{nav}</ul></nav><main>")
    foot = f"</main><aside><ul>{hot}</ul></aside><footer>{text(rng, 120)}</footer></body></html>"
    return head, foot


def article(rng: random.Random, n: int, when: str, portal: str = "bench") -> dict[str, Any]:
    paragraphs = [text(rng, rng.randint(60, 250)) for _ in range(rng.randint(4, 10))]
    url = f"https://www.bench.example.cn/p/{n}.html"
    return {
        "url": url,
        "canonical_url": url,
        "portal": portal,
        "article_id": str(n),
        "headline": text(rng, rng.randint(10, 24)),
        "published_at": f"{when}+08:00",
        "published_at_raw": when.replace("T", " "),
        "source": rng.choice(["湛江云媒", "新华社", "人民网", None]),
        "reporters": [{"role": "记者", "name": text(rng, 3)} for _ in range(rng.randint(0, 3))],
        "editors": [{"role": "编辑", "name": text(rng, 3)}],
        "paragraphs": paragraphs,
        "images": [{"url": f"https://www.bench.example.cn/i/{n}.jpg", "caption": text(rng, 12)}],
        "rankings": [
            {"list": "热点新闻排行", "period": "月点击", "rank": r + 1, "title": text(rng, 14),
             "url": f"https://m.bench.example.cn/p/{rng.randint(1, n + 1)}.html"}
            for r in range(10)
        ],
        "related": [{"list": "图片", "title": text(rng, 10), "url": None} for _ in range(4)],
        "comments": {"participants": rng.randint(0, 99), "count": rng.randint(0, 9)},
        "script": "zh-Hans",
        "encoding": "utf-8",
        "fetched_at": "2026-01-01T00:00:00+00:00",
        "extractor": "bench@1",
        "warnings": [],
    }


def page(record: dict[str, Any], head: str, foot: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in record["paragraphs"])
    return (head + f"<h1>{record['headline']}</h1>{body}" + foot).encode("utf-8")


def capture(record: dict[str, Any], head: str, foot: str, fetched_at: str) -> dict[str, Any]:
    return {
        "url": record["url"],
        "fetched_at": fetched_at,
        "status": 200,
        "headers": {"content-type": "text/html; charset=utf-8", "server": "nginx"},
        "body": page(record, head, foot),
        "kind": "article",
    }


def when(n: int) -> str:
    day = 1 + (n // 500) % 28
    minute = n % 1440
    return f"2026-02-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00"
