"""Datasette on an archive: the packaged metadata (descriptions, canned queries, hidden internal
tables), the research front end of ``archive/site`` (search on the home page, article pages), and
``serve``.

Datasette is an optional extra (``pip install 'newscrawler[datasette]'``); nothing here imports it
until it is needed. Datasette reads the archive through read-only connections, and ``serve``
listens on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Any

METADATA_FILE = Path(__file__).with_name("datasette-metadata.json")
# The database key the packaged file uses; Datasette names a database after its file stem.
PACKAGED_NAME = "newscrawler"


def metadata_for(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The packaged metadata, keyed by the database name Datasette will give ``path``."""
    metadata = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    databases = metadata["databases"]
    databases[Path(path).stem] = databases.pop(PACKAGED_NAME)
    return metadata


def datasette_installed() -> bool:
    return importlib.util.find_spec("datasette") is not None


def register_site() -> None:
    """Load the ``archive.site`` plugin into Datasette (once per process)."""
    from datasette.plugins import pm

    from . import site

    if not pm.is_registered(site):
        pm.register(site, name="newscrawler-site")


def app(path: str | os.PathLike[str]) -> Any:
    """A Datasette instance on the archive, as ``serve`` runs it (for tests and embedding)."""
    from datasette.app import Datasette

    from .site import TEMPLATES

    register_site()
    return Datasette([str(path)], metadata=metadata_for(path), template_dir=str(TEMPLATES))


def serve(path: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on the archive in this process until interrupted.

    In-process rather than a child process, so Ctrl-C and signals reach Datasette directly.
    """
    from datasette.cli import cli as datasette_cli

    from .site import TEMPLATES

    register_site()
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(metadata_for(path), ensure_ascii=False), encoding="utf-8")
        datasette_cli.main(
            ["serve", str(path), "--metadata", str(metadata), "--template-dir", str(TEMPLATES),
             "--host", host, "--port", str(port)],
            prog_name="datasette",
        )
