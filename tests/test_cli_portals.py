"""`newscrawler portals`: a table with a header row, lined up by display width."""

from __future__ import annotations

from click.testing import CliRunner
from rich.cells import cell_len

from newscrawler import portals
from newscrawler.cli import cli


def test_portals_is_a_table_with_a_header():
    result = CliRunner().invoke(cli, ["portals"])
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.output.splitlines()
    assert header.split() == ["portal", "title", "hosts", "layouts"]
    assert set(rule) == {"─"}
    assert [row.split()[0] for row in rows] == portals.names()
    hosts_at = cell_len(header[: header.index("hosts")])
    for row, name in zip(rows, portals.names(), strict=True):
        first_host = portals.get(name).hosts[0]
        assert cell_len(row[: row.index(first_host)]) == hosts_at
