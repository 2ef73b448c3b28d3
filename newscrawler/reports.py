"""Run reports: what a crawl did, read from its Scrapy stats, and whether its field coverage broke.

Every run stores its stats in the archive (``ArchivePipeline``). This module reads them back as a
report (pages fetched; articles new, changed, unchanged; errors by kind; robots.txt refusals;
field coverage) and decides whether a run is *flagged*.

Field coverage is the share of a run's article records that have a field: ``published_at``,
``source``, ``reporters``, ``editors`` (derived from the stats ``newscrawler/validate/articles``
and ``newscrawler/validate/missing/<field>``), but for the fields the portal never shows
(``Portal.never_shown``, named by ``newscrawler/validate/never_shown``), which have no share.
A run is flagged when a field's share is more than
``DROP_THRESHOLD`` (0.3, absolute) below the median of the portal's last ``BASELINE_RUNS`` (5)
successful, unflagged runs. Nothing is flagged before the portal has ``MIN_BASELINE_RUNS`` (2)
such runs, nor for a run with fewer than ``MIN_ARTICLES`` (5) records, whose shares are noise.
Flagged runs stay out of later baselines, so a broken layout keeps being flagged until it is
fixed. A flagged run makes ``newscrawler crawl`` exit with status 3 (a failed run, one that lost
pages, exits 4 and is never flagged: ``newscrawler.accounting``). An archivist who checked a
flagged run acknowledges it (``newscrawler crawls --acknowledge``): the flag is then no longer
open, but its reason is kept and the run stays out of baselines.

Fields a profile's selectors missed are read by the generic extractor (``extract.fallback``), so
a template change no longer shows as lost coverage; it shows as fallbacks. The report counts them
per field (``newscrawler/extract/fallback/<field>``), and a run is flagged too when the share of
its records that needed a fallback for a field is more than ``FALLBACK_RISE`` (0.3) above that
share's median in the baseline runs (0 when there are none: a profile that reads its pages needs
no fallback, so no baseline is needed to see it stop doing so), under the same guards otherwise.

Pure functions over stats dictionaries and an ``archive.Archive``; no Scrapy import.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from statistics import median
from typing import TYPE_CHECKING, Any

from .extract.fallback import FIELDS as FALLBACK_FIELDS
from .extract.fallback import STAT as FALLBACK_STAT
from .extract.validate import WARN_WHEN_MISSING

if TYPE_CHECKING:
    from archive import Archive

COVERAGE_FIELDS: tuple[str, ...] = WARN_WHEN_MISSING
DROP_THRESHOLD = 0.3
BASELINE_RUNS = 5
MIN_BASELINE_RUNS = 2
MIN_ARTICLES = 5
# Scrapy finish reasons of a crawl that ran to its end (or to a limit it was given).
SUCCESS_STATUSES = ("finished", "closespider_itemcount", "closespider_pagecount")
COVERAGE_STAT = "newscrawler/report/coverage/"
# The fields the crawled portal never shows (``Portal.never_shown``), set by the validation stage.
NEVER_SHOWN_STAT = "newscrawler/validate/never_shown"
FLAG_STAT = "newscrawler/report/flag_reason"
# Articles whose status the run changed (``removed``, ``restored``), set when the run ends.
EVENTS_STAT = "newscrawler/archive/events/"
# Signs of removal seen on pages fetched again (``newscrawler.removals``), by sign.
REMOVAL_SIGN_STAT = "newscrawler/removal/"
# The signal (SIGINT, SIGTERM) that stopped a crawl as it started (``extensions.StartingStop``).
STOPPED_WHILE_STARTING_STAT = "newscrawler/stopped_while_starting"
# How ``newscrawler crawl`` says so on its summary's first line, read back by the scheduler
# (``stopped_while_starting``): the two change together.
_STOPPED_WHILE_STARTING_STATUS = "({signal} while the crawl was starting: nothing was fetched)"
_BEFORE_STOP, _AFTER_STOP = _STOPPED_WHILE_STARTING_STATUS.split("{signal}")
_STOPPED_WHILE_STARTING = re.compile(
    r"^crawl of \S+: shutdown .*" + re.escape(_BEFORE_STOP) + r"(SIG[A-Z]+)" + re.escape(_AFTER_STOP) + "$",
    re.M)
# ``newscrawler crawl`` exit status of a run that finished but was flagged.
EXIT_FLAGGED = 3
FALLBACK_RISE = 0.3


def _count(stats: dict[str, Any], key: str) -> int:
    try:
        return int(stats.get(key, 0) or 0)
    except (TypeError, ValueError):
        return 0


def coverage(stats: dict[str, Any]) -> dict[str, float] | None:
    """Share of the run's article records having each field; None for a run without records.

    Fields the portal never shows (``newscrawler/validate/never_shown``) have no share.
    """
    articles = _count(stats, "newscrawler/validate/articles")
    if not articles:
        return None
    named = stats.get(NEVER_SHOWN_STAT)
    never = set(named) if isinstance(named, list) else set()
    return {
        name: round(1 - _count(stats, f"newscrawler/validate/missing/{name}") / articles, 4)
        for name in COVERAGE_FIELDS if name not in never
    }


def errors_by_kind(stats: dict[str, Any]) -> dict[str, int]:
    """HTTP error statuses, download failures, extraction errors and pages without a record."""
    prefixes = {
        "newscrawler/spider/http_status/": "http_",
        "newscrawler/spider/failure/": "",
        "newscrawler/validate/invalid/": "invalid_",
    }
    errors: dict[str, int] = {}
    for key in sorted(stats):
        for prefix, label in prefixes.items():
            if key.startswith(prefix):
                errors[label + key[len(prefix):]] = _count(stats, key)
    if _count(stats, "newscrawler/extract/error"):
        errors["extract_error"] = _count(stats, "newscrawler/extract/error")
    # The page ledger's (newscrawler.accounting): pages the archive refused, pages that an
    # unexpected error or a redirect lost, and pages lost without any reason.
    for key, label in (("newscrawler/archive/write_error", "write_error"),
                       ("newscrawler/accounting/failed/spider_error", "spider_error"),
                       ("newscrawler/accounting/failed/pipeline_error", "pipeline_error"),
                       ("newscrawler/accounting/failed/redirect_filtered", "redirect_filtered"),
                       ("newscrawler/accounting/lost", "lost")):
        if _count(stats, key):
            errors[label] = _count(stats, key)
    return errors


def fallbacks(stats: dict[str, Any]) -> dict[str, int]:
    """Records whose field was read by the generic extractor because the profile missed it."""
    counts = {name: _count(stats, FALLBACK_STAT + name) for name in FALLBACK_FIELDS}
    return {name: count for name, count in counts.items() if count}


def fallback_shares(stats: dict[str, Any]) -> dict[str, float] | None:
    """Share of the run's article records that needed a fallback, per field; None without records."""
    articles = _count(stats, "newscrawler/validate/articles")
    if not articles:
        return None
    return {name: round(min(1.0, _count(stats, FALLBACK_STAT + name) / articles), 4)
            for name in FALLBACK_FIELDS}


def fallback_rises(
    current: dict[str, float], baseline_shares: list[dict[str, float]]
) -> list[tuple[str, float, float]]:
    """(field, share, baseline median) for each field whose fallback share rose above the usual."""
    rises = []
    for name in FALLBACK_FIELDS:
        usual = median([shares.get(name, 0.0) for shares in baseline_shares] or [0.0])
        if round(current.get(name, 0.0) - usual, 4) > FALLBACK_RISE:
            rises.append((name, current[name], usual))
    return rises


def fallback_baseline(archive: Archive, portal: str, before_run: int) -> list[dict[str, float]]:
    """Fallback shares of the runs ``baseline`` takes (runs from before fallbacks count as 0)."""
    found: list[dict[str, float]] = []
    for run in archive.runs(portal, before=before_run):
        if run["status"] not in SUCCESS_STATUSES or run["flagged"]:
            continue
        shares = fallback_shares(run["stats"])
        if shares is None or _count(run["stats"], "newscrawler/validate/articles") < MIN_ARTICLES:
            continue
        found.append(shares)
        if len(found) == BASELINE_RUNS:
            break
    return found


def report(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures of one run, from its stats."""
    return {
        "fallbacks": fallbacks(stats),
        "pages": _count(stats, "response_received_count"),
        "articles": _count(stats, "newscrawler/validate/articles"),
        "new": _count(stats, "newscrawler/archive/new"),
        "changed": _count(stats, "newscrawler/archive/changed"),
        "unchanged": _count(stats, "newscrawler/archive/unchanged"),
        "errors": errors_by_kind(stats),
        "robots_refusals": _count(stats, "robotstxt/forbidden"),
        "coverage": coverage(stats),
    }


def coverage_drops(
    current: dict[str, float], baseline: list[dict[str, float]]
) -> list[tuple[str, float, float]]:
    """(field, share, baseline median) for each field whose share fell by more than the threshold."""
    if len(baseline) < MIN_BASELINE_RUNS:
        return []
    drops = []
    for name in COVERAGE_FIELDS:
        previous = [cov[name] for cov in baseline if name in cov]
        if len(previous) < MIN_BASELINE_RUNS or name not in current:
            continue
        usual = median(previous)
        if round(usual - current[name], 4) > DROP_THRESHOLD:  # 0.9 - 0.6 is not above 0.3
            drops.append((name, current[name], usual))
    return drops


def open_flag(run: dict[str, Any]) -> bool:
    """A flagged run that no one has acknowledged yet (``Archive.acknowledge_flag``)."""
    return bool(run.get("flagged")) and not run.get("acknowledged_at")


def baseline(archive: Archive, portal: str, before_run: int) -> list[dict[str, float]]:
    """Coverage of the portal's last successful, unflagged runs before ``before_run``."""
    found: list[dict[str, float]] = []
    for run in archive.runs(portal, before=before_run):
        # An acknowledged flag stays out too: its figures were odd, whatever the reason.
        if run["status"] not in SUCCESS_STATUSES or run["flagged"]:
            continue
        cov = coverage(run["stats"])
        if cov is None or _count(run["stats"], "newscrawler/validate/articles") < MIN_ARTICLES:
            continue
        found.append(cov)
        if len(found) == BASELINE_RUNS:
            break
    return found


def review(archive: Archive, portal: str, run_id: int, stats: dict[str, Any]) -> str | None:
    """The flag reason for a run that has just ended, or None if its coverage and fallbacks are
    as usual."""
    if str(stats.get("finish_reason")) not in SUCCESS_STATUSES:
        return None
    current = coverage(stats)
    if current is None or _count(stats, "newscrawler/validate/articles") < MIN_ARTICLES:
        return None
    drops = coverage_drops(current, baseline(archive, portal, run_id))
    reasons = []
    if drops:
        reasons.append("field coverage fell: " + ", ".join(
            f"{name} {share:.2f} (usually {usual:.2f})" for name, share, usual in drops
        ))
    rises = fallback_rises(fallback_shares(stats) or {}, fallback_baseline(archive, portal, run_id))
    if rises:
        reasons.append("profile missed fields, read by the generic extractor: " + ", ".join(
            f"{name} {share:.2f} (usually {usual:.2f})" for name, share, usual in rises
        ))
    return "; ".join(reasons) or None


def _duration(run: dict[str, Any]) -> str:
    try:
        seconds = (datetime.fromisoformat(run["ended_at"]) - datetime.fromisoformat(run["started_at"])).total_seconds()
    except (TypeError, ValueError):
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def run_line(run: dict[str, Any]) -> str:
    """One line per run, for ``newscrawler crawls``."""
    started = (run["started_at"] or "")[:19].replace("T", " ")
    parts = [f"#{run['id']}", run["portal"], started, run["status"], _duration(run)]
    unreadable = (run.get("unreadable") or {}).get("stats")
    if unreadable:
        # No figures rather than zeros: what the run did is not known.
        parts.append(f"stats unreadable: {unreadable}")
    else:
        figures = report(run["stats"])
        errors = sum(figures["errors"].values())
        parts += [
            f"pages {figures['pages']}",
            (f"articles {figures['articles']} (new {figures['new']}, changed {figures['changed']},"
             f" unchanged {figures['unchanged']})"),
            f"errors {errors}" + (
                " (" + ", ".join(f"{k} {v}" for k, v in figures["errors"].items()) + ")" if errors else ""),
            f"robots {figures['robots_refusals']}",
        ]
        if figures["coverage"] is not None:
            parts.append("coverage " + " ".join(f"{k} {v:.2f}" for k, v in figures["coverage"].items()))
        if figures["fallbacks"]:
            parts.append("fallback " + ", ".join(f"{k} {v}" for k, v in figures["fallbacks"].items()))
    if open_flag(run):
        parts.append(f"FLAGGED: {run['flag_reason']}")
    elif run.get("flagged"):
        when = str(run["acknowledged_at"])[:19].replace("T", " ")
        parts.append(f"flag acknowledged {when} by {run.get('acknowledged_by')}"
                     f" ({run.get('acknowledged_note')}): {run['flag_reason']}")
    stopped = run["stats"].get(STOPPED_WHILE_STARTING_STAT)
    if stopped:
        parts.append(f"stopped by {stopped} as it started, before fetching anything")
    failed_because = run["stats"].get("newscrawler/accounting/failed_because")
    if failed_because:
        parts.append(f"FAILED: {failed_because}")
    failure = run["stats"].get("newscrawler/scheduler/failure")
    if failure:
        parts.append(str(failure))
    return "  ".join(parts)


def stopped_while_starting_status(signal_name: str) -> str:
    """What the summary of a crawl stopped as it started adds to its status."""
    return _STOPPED_WHILE_STARTING_STATUS.format(signal=signal_name)


def stopped_while_starting(output: str) -> str | None:
    """The signal that stopped a crawl as it started, read from the summary ``newscrawler
    crawl`` printed (its output); None when it said nothing of the kind."""
    found = _STOPPED_WHILE_STARTING.findall(output)
    return str(found[-1]) if found else None


def unreadable_warning(runs: list[dict[str, Any]]) -> str | None:
    """One line naming the runs whose settings or stats the archive holds in a form that cannot
    be read (``Archive.runs``: not a JSON object), or None when there are none."""
    from archive.jsoncolumns import unreadable_warning as warning

    return warning(f"{column} of run #{run['id']}" for run in runs for column in sorted(run.get("unreadable") or {}))


# A crawl logs this line, then the run as JSON, once its run is recorded: a scheduler that cannot
# open the archive (the crawl ran on a scrapyd node) reads the run's outcome from the crawl's log.
RECORDED = "newscrawler run recorded: "


def recorded_line(run: dict[str, Any]) -> str:
    """The log line saying a run is recorded: its id, status, open flag and report line."""
    return RECORDED + json.dumps({
        "id": run["id"], "portal": run["portal"], "status": run["status"],
        "flag_reason": run["flag_reason"] if open_flag(run) else None, "report": run_line(run),
    }, ensure_ascii=False)


# A crawl stopped as it started that could not record its run (it was waiting for the archive
# another process held locked) logs this line where ``recorded_line``'s would be: a scheduler
# reading the log of a scrapyd job, which prints no summary, records the run ``shutdown``
# (``find_stopped_unrecorded``). Both from here: the two change together.
_STOPPED_UNRECORDED_LINE = ("newscrawler run not recorded (the archive was held locked by another process):"
                            " stopped by {signal} while the crawl was starting, nothing was fetched")
_BEFORE_SIGNAL, _AFTER_SIGNAL = _STOPPED_UNRECORDED_LINE.split("{signal}")
_STOPPED_UNRECORDED = re.compile(re.escape(_BEFORE_SIGNAL) + r"(SIG[A-Z]+)" + re.escape(_AFTER_SIGNAL))


def stopped_unrecorded_line(signal_name: str) -> str:
    """The log line of a crawl stopped by ``signal_name`` as it started, its run not recorded."""
    return _STOPPED_UNRECORDED_LINE.format(signal=signal_name)


def find_stopped_unrecorded(log: str) -> str | None:
    """The signal that stopped a crawl as it started without its run recorded, read from the
    crawl's log (``stopped_unrecorded_line``); None when it says nothing of the kind."""
    found = _STOPPED_UNRECORDED.findall(log)
    return str(found[-1]) if found else None


def find_recorded(log: str) -> dict[str, Any] | None:
    """The run a crawl's log says it recorded (the last, if several), or None."""
    for line in reversed(log.splitlines()):
        at = line.find(RECORDED)
        if at < 0:
            continue
        try:
            run = json.loads(line[at + len(RECORDED):])
        except ValueError:
            continue
        if isinstance(run, dict) and "status" in run:
            return run
    return None
