"""Shared test helpers (imported as `support`): paths, fixture pages, and running the command line in a subprocess.

Crawls run in a subprocess because Twisted's reactor cannot be restarted within one process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ZJDAILY = FIXTURES / "zjdaily"
BENCHMARKS = ROOT / "benchmarks"


def load_benchmark(name: str) -> ModuleType:
    """A module of ``benchmarks/`` (a folder of scripts, not a package), loaded once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def fixture_cases(portal_dir: Path = ZJDAILY) -> list[Path]:
    """Every expected-output file under a fixture portal."""
    return sorted(portal_dir.rglob("*.expected.json"))


def load_case(expected_path: Path) -> dict[str, Any]:
    case = json.loads(expected_path.read_text(encoding="utf-8"))
    page = expected_path.with_name(expected_path.name.replace(".expected.json", ".html"))
    sidecar = page.with_name(page.name + ".headers.json")
    case["page"] = page
    case["body"] = page.read_bytes()
    case["headers"] = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    case["fetched_at_dt"] = datetime.fromisoformat(case["fetched_at"])
    return case


def without_crawl_delay(site: Path, into: Path) -> Path:
    """A copy of a fixture portal in ``into`` whose robots.txt asks for no Crawl-delay, so that a
    test crawl takes seconds rather than a second per page."""
    copy = into / site.name
    shutil.copytree(site, copy)
    robots = copy / "robots.txt"
    if robots.is_file():
        text = robots.read_text(encoding="utf-8")
        robots.write_text(re.sub(r"(?im)^crawl-delay:.*\n", "", text), encoding="utf-8")
    return copy


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if args[:1] == ("crawl",) and "--db" not in args:
        # A crawl skips what its archive already holds: each test crawl gets a fresh default
        # archive (and job directory beside it), never the working copy's data/.
        env["NEWSCRAWLER_DB"] = str(Path(tempfile.mkdtemp(prefix="newscrawler-test-")) / "archive.sqlite")
    return subprocess.run(
        [sys.executable, "-m", "newscrawler", *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
