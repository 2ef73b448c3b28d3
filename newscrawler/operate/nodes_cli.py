"""``newscrawler nodes``: each node of the configuration file, whether it answers, its jobs, and
the portals placed on it. A thin click layer over ``newscrawler.operate.nodes``; added to the
``newscrawler`` group in ``cli.py``.
"""

from __future__ import annotations

import click

from .nodes import PROJECT, NodeDown, NodeRefused, Scrapyd
from .schedule_cli import _load, config_option


@click.command(name="nodes")
@config_option
def nodes(config_path: str | None) -> None:
    """Each node: its status (scrapyd's daemonstatus.json), its running and pending crawls, and
    the portals it crawls (pinned by their `node` key, or placed by hash). Exits with status 1
    when a node is down, refuses the scheduler or lacks the project (see docs/scaling.md)."""
    config = _load(config_path)
    placed: dict[str, list[str]] = {}
    for job in config.jobs:
        how = "pinned" if job.portal in config.pinned else "by hash"
        placed.setdefault(job.node, []).append(f"{job.portal} ({how})")
    trouble = False
    for name, node in sorted(config.nodes.items()):
        portals = ", ".join(placed.get(name, [])) or "none"
        limit = f"max {node.max_crawls} crawls" if node.max_crawls else "no crawl limit"
        if node.local:
            if name not in placed and len(config.nodes) > 1:
                continue  # the implicit local node, with nothing on it
            click.echo(f"{name}  this machine (child processes of `schedule run`)  {limit}")
            click.echo(f"  archive {config.archive}")
            click.echo(f"  portals: {portals}")
            continue
        client = Scrapyd(node)
        try:
            status = client.status()
            jobs = client.jobs()
            deployed = client.deployed()
        except (NodeDown, NodeRefused) as exc:
            trouble = True
            # The line names the node and its address already: the reason alone follows.
            click.echo(f"{name}  {node.url}  {'DOWN' if isinstance(exc, NodeDown) else 'REFUSED'}: {exc.reason}")
            click.echo(f"  archive {node.archive} (on the node)")
            click.echo(f"  portals: {portals}")
            continue
        if not deployed:
            # It answers, but every crawl queued there would be refused.
            trouble = True
            click.echo(f"{name}  {node.url}  NOT DEPLOYED: no project {PROJECT} on the node"
                       f" (scrapyd-deploy TARGET -p {PROJECT}, docs/scaling.md)")
            click.echo(f"  archive {node.archive} (on the node)")
            click.echo(f"  portals: {portals}")
            continue
        click.echo(f"{name}  {node.url}  ok  {limit}  running {status.get('running', 0)},"
                   f" pending {status.get('pending', 0)}, finished {status.get('finished', 0)}"
                   f" (all projects)")
        click.echo(f"  archive {node.archive} (on the node)")
        for state in ("running", "pending"):
            for entry in jobs[state]:
                since = f" since {str(entry['start_time'])[:19]}" if entry.get("start_time") else ""
                click.echo(f"  {state} {entry['spider']}  job {entry['id']}{since}")
        click.echo(f"  portals: {portals}")
    if trouble:
        raise SystemExit(1)


COMMANDS: list[click.Command] = [nodes]
