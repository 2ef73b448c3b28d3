"""scrapyd nodes: which node crawls each portal, and a small client of scrapyd's JSON API.

A node is a scrapyd server named by a ``[nodes.NAME]`` table of ``newscrawler.toml``; the node
``local`` is the scheduler's own machine, where crawls run as child processes (the only node when
none is declared). The unit of distribution is the portal: a portal, and every portal sharing a
host with it, crawls on one node, so robots.txt, Crawl-delay, AutoThrottle, the resumable job
directory and incremental recrawls work from that node's own state, with nothing shared.

- ``place``: each portal's node. A portal's ``node`` key pins it; unpinned portals are spread by
  rendezvous hashing (SHA-256 of node and portal names, the same in every process and on every
  machine, unlike ``hash()``), so adding a node moves only the portals that now hash to it.
  Portals sharing a host go together; pinning two of them to different nodes is an error.
- ``Scrapyd``: ``schedule.json``, ``listjobs.json``, ``daemonstatus.json``, ``cancel.json`` and
  the job logs, with HTTP basic authentication from environment variables. ``NodeDown`` is a
  node that cannot be reached; ``NodeRefused`` one that answered with an error. Both read
  ``node NAME (URL): REASON``, the reason once.

Operator code (the scheduler, ``newscrawler nodes``): standard library only, never imported by
a crawl. See ``docs/scaling.md``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import posixpath
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOCAL = "local"
# The scrapyd project the crawls are deployed as (scrapy.cfg's [deploy] project).
PROJECT = "newscrawler"


@dataclass(frozen=True)
class Node:
    """A node of ``newscrawler.toml``; ``url`` is empty for ``local``.

    ``archive`` and ``warc_dir`` are paths on the node itself, passed to its crawls as
    ``NEWSCRAWLER_ARCHIVE`` and ``NEWSCRAWLER_WARC_DIR``; the node's crawls keep their job
    directories in ``jobs/PORTAL`` beside its archive, as ``newscrawler crawl`` does.
    """

    name: str
    url: str = ""
    username_env: str | None = None
    password_env: str | None = None
    max_crawls: int | None = None
    archive: str | None = None
    warc_dir: str | None = None

    @property
    def local(self) -> bool:
        return not self.url

    def job_dir(self, portal: str) -> str:
        assert self.archive is not None, "a scrapyd node always has an archive"
        return posixpath.join(posixpath.dirname(self.archive), "jobs", portal)


class PlacementError(ValueError):
    """Two portals sharing a host are pinned to different nodes (``portals`` names them)."""

    def __init__(self, message: str, portals: tuple[str, str]) -> None:
        super().__init__(message)
        self.portals = portals


def host_groups(hosts: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The portals, grouped so that portals sharing a host (directly or through another portal)
    are in one group; each group sorted, groups in the order of their first portal."""
    parent = {portal: portal for portal in hosts}

    def root(portal: str) -> str:
        while parent[portal] != portal:
            parent[portal] = parent[parent[portal]]
            portal = parent[portal]
        return portal

    owner: dict[str, str] = {}
    for portal in sorted(hosts):
        for host in hosts[portal]:
            host = host.lower()
            if host in owner:
                parent[root(portal)] = root(owner[host])
            else:
                owner[host] = portal
    groups: dict[str, list[str]] = {}
    for portal in sorted(hosts):
        groups.setdefault(root(portal), []).append(portal)
    return sorted(groups.values())


def _score(node: str, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{node}\n{key}".encode()).digest()[:8], "big")


def place(hosts: Mapping[str, Iterable[str]], pinned: Mapping[str, str | None],
          nodes: Sequence[str]) -> dict[str, str]:
    """Each portal's node: its pin, the pin of a portal it shares a host with, or else the node
    that scores highest for the group's first portal (rendezvous hashing over ``nodes``)."""
    hosts = {portal: [h.lower() for h in names] for portal, names in hosts.items()}
    placement: dict[str, str] = {}
    for group in host_groups(hosts):
        pins = [(portal, pinned[portal]) for portal in group if pinned.get(portal)]
        chosen = {node for _, node in pins}
        if len(chosen) > 1:
            (first, first_node), (second, second_node) = next(
                (a, b) for i, a in enumerate(pins) for b in pins[i + 1:] if a[1] != b[1])
            shared = sorted(set(hosts[first]) & set(hosts[second]))
            how = (f"share the host {', '.join(shared)}" if shared else
                   f"share hosts through {', '.join(p for p in group if p not in (first, second))}")
            raise PlacementError(
                f"portals {first!r} (node {first_node!r}) and {second!r} (node {second_node!r})"
                f" {how}: portals sharing a host crawl on one node, or its robots.txt and"
                " Crawl-delay would be kept twice", (first, second))
        node = str(chosen.pop()) if chosen else max(sorted(nodes), key=lambda name: _score(name, group[0]))
        placement.update(dict.fromkeys(group, node))
    return placement


# --- scrapyd's API ----------------------------------------------------------------------------

class NodeTrouble(Exception):
    """What went wrong with a node: ``str()`` is ``node NAME (URL): REASON``, and ``reason``
    alone is for a line that names the node already (``newscrawler nodes``)."""

    def __init__(self, node: Node, base: str, reason: str) -> None:
        super().__init__(f"node {node.name} ({base}): {reason}")
        self.node = node
        self.reason = reason


class NodeDown(NodeTrouble, ConnectionError):
    """The node cannot be reached (refused, timed out, or a proxy in front of it answered 5xx)."""


class NodeRefused(NodeTrouble, RuntimeError):
    """The node answered with an error: authentication, an unknown project or spider, ..."""


class Scrapyd:
    """One scrapyd node's JSON API, with the credentials its table names."""

    def __init__(self, node: Node, timeout: float = 10.0) -> None:
        self.node = node
        self.base = node.url if node.url.endswith("/") else node.url + "/"
        self.timeout = timeout

    def _authorization(self) -> str | None:
        if not self.node.username_env and not self.node.password_env:
            return None
        values = []
        for variable in (self.node.username_env, self.node.password_env):
            value = os.environ.get(variable or "")
            if variable and value is None:
                raise NodeRefused(self.node, self.base, f"the environment variable {variable} is not set")
            values.append(value or "")
        return "Basic " + base64.b64encode(":".join(values).encode()).decode()

    def request(self, path: str, data: Sequence[tuple[str, str]] | None = None) -> bytes:
        """The body of a GET (or, with ``data``, a form POST) of ``path`` on the node."""
        body = urllib.parse.urlencode(list(data)).encode() if data is not None else None
        request = urllib.request.Request(urllib.parse.urljoin(self.base, path.lstrip("/")), data=body)
        authorization = self._authorization()
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise NodeDown(self.node, self.base, f"HTTP {exc.code} {exc.reason}") from exc
            reason = "authentication refused" if exc.code == 401 else f"HTTP {exc.code} {exc.reason}"
            raise NodeRefused(self.node, self.base, f"{path}: {reason}") from exc
        except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
            reason = str(getattr(exc, "reason", None) or exc)
            raise NodeDown(self.node, self.base, reason) from exc

    def call(self, endpoint: str, data: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
        raw = self.request(endpoint, data)
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise NodeDown(self.node, self.base, f"{endpoint} answered no JSON") from exc
        if not isinstance(answer, dict) or answer.get("status") not in ("ok", "error"):
            raise self._not_scrapyd(endpoint)
        if answer["status"] != "ok":
            raise NodeRefused(self.node, self.base, f"{endpoint}: {answer.get('message')}")
        return answer

    def _not_scrapyd(self, endpoint: str) -> NodeDown:
        # Another service at the node's address (or a proxy's page): for the scheduler, a node
        # that is not there, which it waits for without acting on the answer.
        return NodeDown(self.node, self.base, f"{endpoint} answered JSON that is not scrapyd's"
                        " (is the url scrapyd's?)")

    def status(self) -> dict[str, Any]:
        """``daemonstatus.json``: counts of pending, running and finished jobs."""
        answer = self.call("daemonstatus.json")
        if not all(isinstance(answer.get(state, 0), int) for state in ("pending", "running", "finished")):
            raise self._not_scrapyd("daemonstatus.json")
        return answer

    def jobs(self) -> dict[str, list[dict[str, Any]]]:
        """``listjobs.json`` of the project: ``pending``, ``running`` and ``finished`` jobs, each
        with at least its ``id`` and ``spider``."""
        endpoint = f"listjobs.json?project={PROJECT}"
        try:
            answer = self.call(endpoint)
        except NodeRefused as exc:
            if "not found" in str(exc):  # nothing deployed yet: no jobs
                return {"pending": [], "running": [], "finished": []}
            raise
        jobs = {state: answer.get(state, []) for state in ("pending", "running", "finished")}
        for entries in jobs.values():
            if not isinstance(entries, list) or not all(
                    isinstance(entry, dict) and isinstance(entry.get("id"), str)
                    and isinstance(entry.get("spider"), str) for entry in entries):
                raise self._not_scrapyd("listjobs.json")
        return jobs

    def deployed(self) -> bool:
        """Whether the project is deployed on the node (``listprojects.json``)."""
        projects = self.call("listprojects.json").get("projects")
        if not isinstance(projects, list):
            raise self._not_scrapyd("listprojects.json")
        return PROJECT in projects

    def schedule(self, spider: str, settings: Mapping[str, str], args: Mapping[str, str],
                 jobid: str) -> str:
        """Queue a crawl on the node; returns its job id."""
        data = [("project", PROJECT), ("spider", spider), ("jobid", jobid)]
        data += [("setting", f"{name}={value}") for name, value in settings.items()]
        data += list(args.items())
        return str(self.call("schedule.json", data)["jobid"])

    def cancel(self, jobid: str, signal: str = "INT") -> None:
        self.call("cancel.json", [("project", PROJECT), ("job", jobid), ("signal", signal)])

    def log(self, job: Mapping[str, Any]) -> str:
        """A finished job's log (scrapyd's ``logs_dir``, served under ``/logs/``)."""
        url = job.get("log_url") or f"logs/{PROJECT}/{job['spider']}/{job['id']}.log"
        return self.request(str(url)).decode("utf-8", "replace")
