"""The code base stays clean under ruff and mypy, with the rules chosen in pyproject.toml.

Both run as they would from a shell at the repository root, so the configuration they read is
the project's own; on failure the test shows what they reported.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import ROOT

# What each tool checks: ruff every Python file we keep, mypy the two installed packages and the
# benchmarks.
CHECKS = {
    "ruff": ["check", "--output-format", "concise", "newscrawler", "archive", "tests", "benchmarks",
             "scripts"],
    "mypy": ["newscrawler", "archive", "benchmarks"],
}


@pytest.mark.parametrize("tool", sorted(CHECKS))
def test_clean(tool: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", tool, *CHECKS[tool]],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{tool} exited {result.returncode}:\n{result.stdout}{result.stderr}", pytrace=False)
