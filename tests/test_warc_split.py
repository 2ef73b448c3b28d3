"""WARC body reads (``WarcStore.body``) against warcio's reads for records written by hand: the
crawler's header layout and its near misses, HTTP headers that need splitting, records at a
window's edge and at the file's end, and damaged or cut gzip members."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from archive.warc import WarcReadError, WarcStore, decoded_payload
from archive.warc.split import page

# A page of 12 kB that does not compress to nothing (about 7 kB of gzip), as news pages do not.
PAGE = ("<html><body>" + "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(4000))
        + "</body></html>").encode()


def _record(http_lines: list[str], payload: bytes, warc_lines: list[str] | None = None,
            length: int | None = None) -> bytes:
    """A response record, uncompressed; ``warc_lines`` replace the crawler's WARC header lines
    ({length} stands for the HTTP block's length)."""
    block = ("\r\n".join(["HTTP/1.1 200 OK", *http_lines]) + "\r\n\r\n").encode("latin-1") + payload
    lines = warc_lines if warc_lines is not None else [
        "WARC-Date: 2026-12-07T00:00:00Z", "WARC-Type: response",
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>",
        "WARC-Target-URI: https://www.x.cn/1.html",
        "Content-Type: application/http; msgtype=response", "Content-Length: {length}",
    ]
    size = len(block) if length is None else length
    head = "\r\n".join(["WARC/1.1", *(line.format(length=size) for line in lines)])
    return (head + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def _write(path: Path, records: list[bytes]) -> list[int]:
    offsets = []
    with path.open("wb") as stream:
        for record in records:
            offsets.append(stream.tell())
            stream.write(gzip.compress(record))
    return offsets


def _warcio_body(store: WarcStore, name: str, offset: int) -> bytes:
    capture = store.load(name, offset)
    return decoded_payload(capture.headers, capture.payload)


CRAWLER_HEAD = [
    "WARC-Date: 2026-12-07T00:00:00Z", "WARC-Type: response",
    "WARC-Target-URI: https://www.x.cn/1.html",
    "Content-Type: application/http; msgtype=response", "Content-Length: {length}",
]
SHAPES: dict[str, tuple[list[str], bytes, list[str] | None]] = {
    "crawler layout": (["Content-Type: text/html"], PAGE, None),
    "no HTTP headers": ([], PAGE, None),
    "content-encoded, lower case": (["content-encoding: gzip"], gzip.compress(PAGE), None),
    "deflate, upper case": (["CONTENT-ENCODING: deflate"], zlib.compress(PAGE), None),
    "folded header line": (["Content-Type: text/html;", " charset=utf-8"], PAGE, None),
    "chunked": (["Transfer-Encoding: chunked"], b"4\r\n<p>x\r\n0\r\n\r\n", None),
    "a line after the length": (["Content-Type: text/html"], PAGE,
                                [*CRAWLER_HEAD, "WARC-Block-Digest: sha1:AAAA"]),
    "two length lines": (["Content-Type: text/html"], PAGE,
                         ["Content-Length: {length}", *CRAWLER_HEAD]),
    "a shorter length line first": (["Content-Type: text/html"], PAGE,
                                    ["Content-Length: 60", *CRAWLER_HEAD]),
    "other order": (["Content-Type: text/html"], PAGE,
                    ["Content-Length: {length}", "Content-Type: application/http;msgtype=response",
                     "WARC-Type: response", "WARC-Target-URI: https://www.x.cn/1.html"]),
    "a request": (["Host: www.x.cn"], b"", [line.replace("response", "request")
                                             for line in CRAWLER_HEAD]),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_bodies_equal_warcio_reads_for_each_layout(tmp_path: Path, shape: str) -> None:
    http_lines, payload, warc_lines = SHAPES[shape]
    path = tmp_path / "shapes.warc.gz"
    [offset] = _write(path, [_record(http_lines, payload, warc_lines)])
    with WarcStore(tmp_path) as store:
        if shape == "a request":
            assert store._direct_body(path.name, offset) is None
            return
        assert store.body(path.name, offset) == _warcio_body(store, path.name, offset)
        assert isinstance(store.body(path.name, offset), bytes)


def test_the_crawler_layout_is_split_without_the_general_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.warc import split

    def general(*args: object) -> None:
        raise AssertionError("the general way taken")

    monkeypatch.setattr(split, "_general_page", general)
    assert page(bytearray(_record(["Content-Type: text/html", "Server: x"], PAGE))) == PAGE
    with pytest.raises(AssertionError):
        page(bytearray(_record(["Content-Encoding: gzip"], gzip.compress(PAGE))))


def test_page_of_a_record_without_a_header_end_is_none() -> None:
    assert page(bytearray(_record(["Content-Type: text/html"], PAGE))) == PAGE
    assert page(bytearray(b"WARC/1.1\r\nWARC-Type: response")) is None
    assert page(bytearray(b"WARC/1.1\r\nContent-Type: application/http; msgtype=response"
                          b"\r\nContent-Length: 10\r\n")) is None


def test_records_across_window_edges_and_at_the_file_end(tmp_path: Path) -> None:
    # Enough records of a few kB of gzip each that reads cross several 512 kB windows, and the
    # last ones sit within a window's reach of the file's end.
    pages = [(f"<p>{n}</p>" + "".join(chr(0x4E00 + (n + i) * 7919 % 20000) for i in range(3000)))
             .encode() for n in range(400)]
    # Read from a window: a page larger than the room libdeflate is first given, and one whose
    # gzip member is longer than the bytes inflated in one call.
    pages[200] = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(15_000)).encode()
    pages[300] = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(60_000)).encode()
    path = tmp_path / "many.warc.gz"
    offsets = _write(path, [_record(["Content-Type: text/html"], p) for p in pages])
    assert path.stat().st_size > 3 * 512 * 1024
    with WarcStore(tmp_path) as store:
        assert [store.body(path.name, o) for o in offsets] == pages
        # Backwards, then the last record twice: reads elsewhere in the file.
        assert [store.body(path.name, o) for o in reversed(offsets)] == pages[::-1]
        assert store.body(path.name, offsets[-1]) == pages[-1]


def test_a_record_appended_after_a_read_near_the_file_end_is_read(tmp_path: Path) -> None:
    path = tmp_path / "growing.warc.gz"
    first = _record(["Content-Type: text/html"], b"<p>first</p>")
    second = _record(["Content-Type: text/html"], PAGE)
    [offset] = _write(path, [first])
    with WarcStore(tmp_path) as store:
        assert store.body(path.name, offset) == b"<p>first</p>"
        with path.open("ab") as stream:
            at = stream.tell()
            stream.write(gzip.compress(second))
        assert store.body(path.name, at) == PAGE


@pytest.mark.parametrize("where", ["deflate stream", "CRC", "length"])
def test_a_damaged_member_raises_naming_file_and_offset(tmp_path: Path, where: str) -> None:
    path = tmp_path / "damaged.warc.gz"
    offsets = _write(path, [_record(["Content-Type: text/html"], PAGE)] * 10)
    data = bytearray(path.read_bytes())
    member_end = offsets[6]
    # A gzip member ends with the CRC-32 of its data, then its length (4 bytes each).
    at = {"deflate stream": offsets[5] + 200, "CRC": member_end - 8, "length": member_end - 2}[where]
    data[at] ^= 0x55
    path.write_bytes(data)
    with WarcStore(tmp_path) as store:
        # In file order, so that the damaged member is read from the window read ahead.
        for n, offset in enumerate(offsets):
            if n != 5:
                assert store.body(path.name, offset) == PAGE
                continue
            with pytest.raises(WarcReadError, match=f"{path}: the gzip member at offset {offset}"
                                                     " is damaged"):
                store.body(path.name, offset)


def test_a_member_cut_by_the_file_end_raises_truncated(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc.gz"
    offsets = _write(path, [_record(["Content-Type: text/html"], PAGE)] * 2)
    with path.open("r+b") as stream:
        stream.truncate(offsets[1] + 1000)
    with WarcStore(tmp_path) as store:
        assert store.body(path.name, offsets[0]) == PAGE
        with pytest.raises(WarcReadError, match=f"offset {offsets[1]} is truncated \\(the file"
                                                 " ends 1000 bytes into it\\)"):
            store.body(path.name, offsets[1])
