"""Scheduled crawls: the configuration file, cron times, catching up, crash records, stopping.

Crawls run over a fast copy of the fixture portal (no Crawl-delay), except the one that must
still be running when the scheduler is told to stop.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support import (
    ROOT,
    ZJDAILY,
    archive_held_locked,
    job_dir_held_unnamed,
    run_cli,
    without_crawl_delay,
)

from archive import Archive
from newscrawler.joblock import LOCK_FILE, job_dir_user
from newscrawler.operate.config import Config, ConfigError, load_config
from newscrawler.operate.remote import record_dispatch
from newscrawler.operate.schedule import (
    RUN_TAG,
    Scheduler,
    crontab_lines,
    missed_times,
    next_time,
    next_times,
    previous_time,
)
from newscrawler.resume import RUNNING_MARKER

UTC = timezone.utc


@pytest.fixture(scope="module")
def fast_portal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return without_crawl_delay(ZJDAILY, tmp_path_factory.mktemp("portal") / "zjdaily")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newscrawler.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _config(tmp_path: Path, replay: Path, schedules: str = '["0 3 * * *"]', extra: str = "") -> Path:
    return _write(tmp_path, f"""\
archive = "archive.sqlite"
timezone = "UTC"
stop_timeout = 30

[settings]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0
NEWSCRAWLER_WARC_ENABLED = false

[portals.zjdaily]
schedules = {schedules}
max_articles = 4
replay = "{replay}"
{extra}
""")


# --- the configuration file -------------------------------------------------------------------

def test_the_example_configuration_loads() -> None:
    config = load_config(ROOT / "newscrawler.example.toml")
    assert [job.portal for job in config.jobs] == ["zjdaily"]
    job = config.jobs[0]
    assert job.schedules == ("15 */4 * * *", "45 6 * * 1")
    assert (job.max_articles, job.since, job.depth) == (300, "3d", 3)
    assert job.settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert job.settings["NEWSCRAWLER_CONTACT"] == "archivist@example.org"
    assert config.archive == ROOT / "data" / "newscrawler.sqlite"
    assert job.since_date(datetime(2024, 7, 10, 1, tzinfo=UTC)) == "2024-07-07"


@pytest.mark.parametrize(("change", "line", "message"), [
    (("max_articles = 4", "max_articles = 4\nmax_artciles = 5"), 13, "unknown key 'max_artciles' in [portals.zjdaily]"),
    (("[portals.zjdaily]", "[portals.nosuch]"), 10, "unknown portal 'nosuch'"),
    (('["0 3 * * *"]', '["0 3 * * *", "0 25 * * *"]'), 11, "malformed cron expression '0 25 * * *'"),
    (('["0 3 * * *"]', '["0 3 * *"]'), 11, "malformed cron expression '0 3 * *'"),
    (('["0 3 * * *"]', '["0 0 30 2 *"]'), 11, "cron expression '0 0 30 2 *' never fires"),
    (("DOWNLOAD_DELAY = 0", "DOWNLOAD_DELAI = 0"), 7, "unknown Scrapy setting 'DOWNLOAD_DELAI' in [settings]"),
    (("DOWNLOAD_DELAY = 0", 'DOWNLOAD_DELAY = "soon"'), 7, "DOWNLOAD_DELAY=soon: expected a number in [settings]"),
    (("max_articles = 4", "max_articles = 4\n[portals.zjdaily.settings]\nCONCURRENT_REQUESTS = 1.5"), 14,
     "CONCURRENT_REQUESTS=1.5: expected a whole number in [portals.zjdaily.settings]"),
    (("stop_timeout = 30", "stop_timeout = 30\nstop_time = 3"), 4, "unknown key 'stop_time' at the top level"),
    (("max_articles = 4", "max_articles = 0"), 12, "max_articles must be a whole number >= 1"),
    (("max_articles = 4", "since = \"last week\""), 12, "since must be a date"),
    (('timezone = "UTC"', 'timezone = "Mars/Olympus"'), 2, "unknown time zone 'Mars/Olympus'"),
    (("max_articles = 4", "max_articles = = 4"), 12, "invalid TOML"),
    (('["0 3 * * *"]', "[]"), 11, "schedules is empty: give at least one cron expression"),
    (('archive = "archive.sqlite"', 'archive = "."'), 1, "archive: "),
    (('archive = "archive.sqlite"', 'archive = "newscrawler.toml"'), 1,
     "newscrawler.toml is not a newscrawler archive (not an SQLite database)"),
    (('replay = "', 'replay = "missing/'), 13, "replay: no such file or directory "),
    (("max_articles = 4", "max_articles = 4\ndate_from = \"1d\""), 13,
     "zjdaily has no dated editions: date_from is for zjdaily-epaper"),
])
def test_a_bad_configuration_is_one_line_naming_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, message: str
) -> None:
    path = _config(tmp_path, tmp_path)
    path.write_text(path.read_text("utf-8").replace(*change), "utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = str(error.value)
    assert "\n" not in text
    assert text.startswith(f"{path}:{line}: "), text
    assert message in text


def test_the_command_line_reports_a_bad_configuration_before_running(tmp_path: Path) -> None:
    path = _config(tmp_path, tmp_path, schedules='["every day"]')
    result = run_cli("schedule", "run", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {path}:11: malformed cron expression 'every day' (five fields: minute hour day"
        " month weekday, or @hourly/@daily/@weekly/@monthly/@yearly)")
    assert not (tmp_path / "archive.sqlite").exists()
    missing = run_cli("schedule", "list", "--config", str(tmp_path / "none.toml"))
    assert missing.returncode == 2 and "no such configuration file" in missing.stderr


# --- times --------------------------------------------------------------------------------------

def test_next_times_merge_the_job_schedules(tmp_path: Path) -> None:
    job = load_config(_config(tmp_path, tmp_path, '["0 3 * * *", "30 */12 * * *"]')).jobs[0]
    start = datetime(2024, 7, 1, 2, 0, tzinfo=UTC)
    assert [t.strftime("%d %H:%M") for t in next_times(job, start, 4)] == [
        "01 03:00", "01 12:30", "02 00:30", "02 03:00"]
    assert previous_time(job, start) == datetime(2024, 7, 1, 0, 30, tzinfo=UTC)
    # Three hours asleep with a job every ten minutes: 18 times passed, counted for the log.
    every10 = load_config(_config(tmp_path, tmp_path, '["*/10 * * * *"]')).jobs[0]
    due = next_time(every10, start)
    assert missed_times(every10, due, due + timedelta(hours=3) - timedelta(seconds=1)) == 18


def test_list_and_crontab(tmp_path: Path) -> None:
    path = _config(tmp_path, tmp_path, '["0 3 * * *", "30 */12 * * *"]')
    listed = run_cli("schedule", "list", "--config", str(path), "-n", "2")
    assert listed.returncode == 0, listed.stderr
    name, schedules, times = listed.stdout.strip().split("\t")
    assert (name, schedules) == ("zjdaily", "0 3 * * *; 30 */12 * * *")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC, \d{4}-\d\d-\d\d \d\d:\d\d UTC", times)

    lines = crontab_lines(load_config(path), program="newscrawler")
    assert lines[1:] == [
        "CRON_TZ=UTC",
        (f"0 3 * * * cd {tmp_path} && mkdir -p {tmp_path}/logs && newscrawler schedule crawl zjdaily"
         f" --config {path} >> {tmp_path}/logs/zjdaily.cron.log 2>&1"),
        (f"30 */12 * * * cd {tmp_path} && mkdir -p {tmp_path}/logs && newscrawler schedule crawl zjdaily"
         f" --config {path} >> {tmp_path}/logs/zjdaily.cron.log 2>&1"),
    ]


def test_a_crontab_line_crawls_into_the_archive_schedule_run_uses(
    tmp_path: Path, fast_portal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `archive` in the file, the archive is the same whatever the directory the
    commands are run from; cron runs the line with none of the archivist's environment, in a
    directory where nothing was made yet."""
    config_dir, elsewhere = tmp_path / "config", tmp_path / "elsewhere"
    elsewhere.mkdir()
    config_dir.mkdir()
    path = _config(config_dir, fast_portal)
    path.write_text(path.read_text("utf-8").replace('archive = "archive.sqlite"\n', ""), "utf-8")
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("NEWSCRAWLER_DB", raising=False)
    config = load_config(Path("../config/newscrawler.toml"))
    assert config.archive == config_dir / "data" / "newscrawler.sqlite"
    monkeypatch.setenv("NEWSCRAWLER_DB", "mine.sqlite")
    config = load_config(Path("../config/newscrawler.toml"))
    assert config.archive == elsewhere / "mine.sqlite"

    (line,) = crontab_lines(config, program=f"{sys.executable} -m newscrawler")[2:]
    command = line.split(" ", 5)[5]
    cron_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), "SHELL": "/bin/sh"}
    ran = subprocess.run(["/bin/sh", "-c", command], cwd="/", env=cron_env, capture_output=True, text=True,
                         timeout=300)
    assert ran.returncode == 0, ran.stderr + (elsewhere / "logs" / "zjdaily.cron.log").read_text("utf-8")
    with Archive.open(elsewhere / "mine.sqlite", create=False) as archive:
        assert [run["status"] for run in archive.runs("zjdaily")] == ["finished"]
    assert not (config_dir / "data").exists()


# --- the scheduler's loop, on a fake clock -----------------------------------------------------

class _Recorder(Scheduler):
    """Records the crawls it would start instead of starting them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started: list[datetime] = []

    def _start(self, job, now) -> None:
        self.started.append(now)
        self.finished += 1


def _fake_clock(times: list[datetime]):
    state = {"i": 0}

    def clock() -> datetime:
        return times[min(state["i"], len(times) - 1)]

    def sleep(_: float) -> None:
        state["i"] += 1
    return clock, sleep


def test_after_the_machine_slept_a_job_runs_once_not_in_a_burst(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, tmp_path, '["*/10 * * * *"]'))
    t0 = datetime(2024, 7, 1, 8, 5, tzinfo=UTC)
    # 08:05 start; 08:09 nothing due; then the machine sleeps until 11:07; then 11:15.
    clock, sleep = _fake_clock([t0, t0, t0 + timedelta(minutes=4), t0 + timedelta(hours=3, minutes=2),
                                t0 + timedelta(hours=3, minutes=3), t0 + timedelta(hours=3, minutes=10)])
    lines: list[str] = []
    scheduler = _Recorder(config, echo=lines.append, clock=clock, sleep=sleep)
    scheduler.run(max_runs=2)
    assert scheduler.started == [t0 + timedelta(hours=3, minutes=2), t0 + timedelta(hours=3, minutes=10)]
    assert any("18 scheduled times passed" in line and "crawling once" in line for line in lines), lines


def test_at_start_a_job_missed_since_its_last_run_runs_once(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, tmp_path, '["0 3 * * *"]'))
    with Archive.open(config.archive) as archive:
        archive.start_run("zjdaily", {})  # started now
    now = datetime.now(UTC)
    # The last run is older than yesterday's 03:00 when seen from two days on.
    later = now + timedelta(days=2)
    clock, sleep = _fake_clock([later, later])
    scheduler = _Recorder(config, echo=lambda _: None, clock=clock, sleep=sleep)
    scheduler.run(max_runs=1)
    assert scheduler.started == [later]
    # From now, the run is recent: the job waits for its next time.
    assert _Recorder(config, echo=lambda _: None)._first_due(config.jobs[0], now) > now


# --- real crawls --------------------------------------------------------------------------------

def test_run_once_crawls_and_records_the_run(tmp_path: Path, fast_portal: Path) -> None:
    path = _config(tmp_path, fast_portal)
    result = run_cli("schedule", "run", "--once", "--config", str(path), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"zjdaily: crawl ended \(exit 0\): #1  zjdaily .* finished .* articles 4 ", result.stdout)
    with Archive.open(tmp_path / "archive.sqlite", create=False) as archive:
        runs = archive.runs()
    assert [(r["portal"], r["status"]) for r in runs] == [("zjdaily", "finished")]
    assert runs[0]["settings"][RUN_TAG]
    assert runs[0]["settings"]["max_articles"] == "4"
    logs = list((tmp_path / "logs").glob("zjdaily-*.log"))
    assert len(logs) == 1 and "Spider closed (finished)" in logs[0].read_text("utf-8")


def test_a_crawl_that_crashes_before_recording_leaves_a_failed_run(tmp_path: Path, fast_portal: Path) -> None:
    config = load_config(_config(tmp_path, fast_portal))
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
                    "echo 'ImportError: no module named scrapy' >&2\nexit 1\n")
    fake.chmod(0o755)
    lines: list[str] = []
    failed = Scheduler(config, echo=lines.append, python=str(fake)).run(once=True)
    assert failed == 1
    with Archive.open(config.archive, create=False) as archive:
        (run,) = archive.runs()
    assert run["status"] == "crashed"
    assert run["stats"]["newscrawler/scheduler/exit_code"] == 1
    assert run["stats"]["newscrawler/scheduler/failure"].endswith("ImportError: no module named scrapy")
    assert "crawl ended (exit 1)" in lines[-1] and "crashed" in lines[-1]

    # The schedule goes on: the next crawl of the portal runs and is recorded as usual.
    assert Scheduler(config, echo=lines.append).run(once=True) == 0
    with Archive.open(config.archive, create=False) as archive:
        assert [r["status"] for r in archive.runs()] == ["finished", "crashed"]


def test_an_archive_that_cannot_be_read_after_a_crawl_is_one_line_not_a_traceback(
    tmp_path: Path, fast_portal: Path
) -> None:
    config = load_config(_config(tmp_path, fast_portal))
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    # Replaced, while the scheduler ran, by a file that is not an archive.
    config.archive.write_text("not an archive\n", encoding="utf-8")
    lines: list[str] = []
    assert Scheduler(config, echo=lines.append, python=str(fake)).run(once=True) == 1
    assert lines[-1].endswith(
        f"zjdaily: crawl ended (exit 1): could not check the archive: {config.archive} is not a"
        " newscrawler archive (not an SQLite database)"), lines
    assert "Traceback" not in "\n".join(lines)


def test_one_crawl_per_portal_at_a_time(tmp_path: Path, fast_portal: Path) -> None:
    config = load_config(_config(tmp_path, fast_portal))
    scheduler = Scheduler(config, echo=lambda _: None)
    holder = scheduler._lock("zjdaily")  # another scheduler, or a crontab line, is crawling it
    assert holder is not None
    lines: list[str] = []
    assert Scheduler(config, echo=lines.append).run(once=True) == 0
    assert any("lock held" in line for line in lines)
    assert not config.archive.exists()
    holder.close()


def test_sigterm_stops_the_running_crawl_cleanly(tmp_path: Path) -> None:
    # The real fixture keeps its Crawl-delay: 1, so the crawl is still running when stopped.
    path = _config(tmp_path, ZJDAILY)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawler", "schedule", "run", "--once", "--config", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            logs = list((tmp_path / "logs").glob("zjdaily-*.log"))
            if logs and "Crawl-delay" in logs[0].read_text("utf-8", "replace"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the crawl did not start")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert "SIGTERM: stopping; 1 crawl(s) running" in output
    assert "sending SIGINT to zjdaily" in output
    with Archive.open(tmp_path / "archive.sqlite", create=False) as archive:
        (run,) = archive.runs()
    # Scrapy's own clean shutdown, recorded by the crawl itself.
    assert run["status"] == "shutdown", output
    assert "sending SIGKILL" not in output


def test_a_crawl_left_by_a_killed_scheduler_keeps_its_portal_locked(tmp_path: Path) -> None:
    """The scheduler is killed (SIGKILL, the machine's OOM killer) while its crawl, in a process
    group of its own, goes on: the next scheduler skips the portal instead of starting a crawl
    that fails on the job directory in use and is recorded as crashed."""
    path = _config(tmp_path, ZJDAILY)  # Crawl-delay: 1 kept, so the crawl is still running
    process = subprocess.Popen(
        [sys.executable, "-m", "newscrawler", "schedule", "run", "--once", "--config", str(path)],
        cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout is not None
    started = process.stdout.readline()
    crawl = re.search(r"crawl started \(pid (\d+),", started)
    assert crawl, started
    pid = int(crawl.group(1))
    try:
        process.kill()
        process.wait(timeout=30)
        again = run_cli("schedule", "crawl", "zjdaily", "--config", str(path), timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "zjdaily: another process is crawling it (lock held); skipping" in again.stdout
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    if (tmp_path / "archive.sqlite").exists():  # the killed crawl may not have opened it yet
        with Archive.open(tmp_path / "archive.sqlite", create=False) as archive:
            assert "crashed" not in [run["status"] for run in archive.runs()]


def test_at_start_a_portal_on_a_node_catches_up_from_its_last_queued_crawl(tmp_path: Path) -> None:
    node = '\n[nodes.a]\nurl = "http://127.0.0.1:9/"\narchive = "/srv/newscrawler/a.sqlite"\n'
    config = load_config(_config(tmp_path, tmp_path, '["0 3 * * *"]', 'node = "a"\n' + node))
    job, now = config.jobs[0], datetime.now(UTC)
    scheduler = Scheduler(config, echo=lambda _: None)
    # Nothing recorded yet: the node's archive holds its runs, not the scheduler's; it waits.
    assert scheduler._first_due(job, now) > now
    # A crawl queued two days ago, and a scheduled time passed since: it runs once at start.
    config.log_dir.mkdir(parents=True)
    record_dispatch(config.log_dir, "zjdaily", (now - timedelta(days=2)).isoformat())
    assert scheduler._first_due(job, now) == now
    # A crawl queued just now: the portal waits for its next time.
    record_dispatch(config.log_dir, "zjdaily", now.isoformat())
    assert scheduler._first_due(job, now) > now
    assert json.loads((config.log_dir / "dispatched.json").read_text("utf-8")) == {"zjdaily": now.isoformat()}


def _marked_run(job: Path) -> int | None:
    """The archive run the crawl holding ``job`` names in its marker, once it names one."""
    try:
        written = json.loads((job / RUNNING_MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    run_id = written.get("run_id") if isinstance(written, dict) else None
    return run_id if isinstance(run_id, int) else None


def test_a_crawl_started_by_hand_makes_the_scheduled_crawl_skip_not_crash(tmp_path: Path) -> None:
    """`newscrawler crawl` of the portal, run by hand, holds the job directory the scheduled crawl
    would use: the scheduled time is skipped with its reason, and no run is recorded crashed."""
    path = _config(tmp_path, ZJDAILY)
    job = tmp_path / "jobs" / "zjdaily"
    # The real fixture keeps its Crawl-delay: 1, so the crawl by hand is still running.
    by_hand = subprocess.Popen(
        [sys.executable, "-m", "newscrawler", "crawl", "zjdaily", "--replay", str(ZJDAILY),
         "--db", str(tmp_path / "archive.sqlite"), "-s", "NEWSCRAWLER_PROGRESS=off"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        # Its lock names it as the job directory's holder, and its marker names its run: the run
        # the archive holds at the end is there before the scheduled crawl is tried.
        while job_dir_user(job) != by_hand.pid or _marked_run(job) is None:
            assert by_hand.poll() is None and time.monotonic() < deadline, "the crawl did not start"
            time.sleep(0.05)
        result = run_cli("schedule", "crawl", "zjdaily", "--config", str(path), timeout=120)
        assert by_hand.poll() is None, "the crawl by hand ended before the scheduled one was tried"
    finally:
        by_hand.kill()
        by_hand.wait(timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (f"zjdaily: another crawl (process {by_hand.pid}, not started by the scheduler) is using"
            " its job directory; skipping this scheduled time") in result.stdout, result.stdout
    # The scheduler names its crawls' logs PORTAL-TIME-TAG.log (the crawl by hand's has no tag).
    assert not list((tmp_path / "logs").glob("zjdaily-*-*.log")), "a scheduled crawl was started"
    with Archive.open(tmp_path / "archive.sqlite", create=False) as archive:
        assert [run["status"] for run in archive.runs()] == ["running"]  # the crawl by hand's


def test_a_job_directory_held_by_a_process_that_names_none_is_skipped_without_a_process_id(
    tmp_path: Path,
) -> None:
    """The job directory's lock is held, but its file names no process: the skipped time says
    another crawl holds the directory, and names no process it does not know (not 'process 0')."""
    path = _config(tmp_path, ZJDAILY)
    job = tmp_path / "jobs" / "zjdaily"
    job.mkdir(parents=True)
    with job_dir_held_unnamed(job / LOCK_FILE) as holder:
        result = run_cli("schedule", "crawl", "zjdaily", "--config", str(path), timeout=120)
        assert holder.poll() is None, "the lock's holder ended before the scheduled crawl was tried"
    assert result.returncode == 0, result.stdout + result.stderr
    assert (f"zjdaily: another crawl (its process not named in {LOCK_FILE}, not started by the scheduler)"
            " is using its job directory; skipping this scheduled time") in result.stdout, result.stdout
    assert "process 0" not in result.stdout
    assert not list((tmp_path / "logs").glob("zjdaily-*-*.log")), "a scheduled crawl was started"
    assert not (tmp_path / "archive.sqlite").exists()


# Run by the scheduler as its Python (``Scheduler(python=...)``): it starts a crawl of the portal
# by hand once the scheduler has found the job directory free, waits until that crawl holds the
# directory, and only then runs the scheduled crawl as the real interpreter would.
_HAND_CRAWL_FIRST = '''#!{python}
import json, os, subprocess, sys, time
hand = subprocess.Popen(
    [{python!r}, "-m", "newscrawler", "crawl", "zjdaily", "--replay", {replay!r}, "--db", {db!r},
     "-s", "NEWSCRAWLER_PROGRESS=off"],
    cwd={root!r}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    start_new_session=True)
with open({pid_file!r}, "w") as out:
    out.write(str(hand.pid))
def holding():  # the job directory (its lock file names the holder), and the run it started
    try:
        with open({lock!r}) as lock:
            holder = json.load(lock)
        with open({marker!r}) as marker:
            written = json.load(marker)
    except (OSError, ValueError):
        return False
    return holder.get("pid") == hand.pid and written.get("run_id") is not None
while not holding():
    if hand.poll() is not None:
        sys.exit("the crawl by hand ended before it held its job directory")
    time.sleep(0.05)
os.execv({python!r}, [{python!r}, *sys.argv[1:]])
'''


def _scheduled_beside(config: Config, python: Path, pid_file: Path, lines: list[str]) -> tuple[int, int]:
    """One scheduled run with ``python`` as the scheduler's Python, which first starts another
    process that takes the job directory and writes its id into ``pid_file``: (the failed crawls,
    that process's id), the process checked to be alive still, so that the scheduled crawl was
    refused while it held the directory. The process (its group) is killed after."""
    try:
        failed = Scheduler(config, echo=lines.append, python=str(python)).run(once=True)
        other = int(pid_file.read_text("utf-8"))
        os.kill(other, 0)
    finally:
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid_file.read_text("utf-8")), signal.SIGKILL)
    return failed, other


def test_a_crawl_started_by_hand_after_the_schedulers_look_makes_the_scheduled_crawl_skip(
    tmp_path: Path,
) -> None:
    """The race: the job directory is free when the scheduler looks, and taken by a crawl started
    by hand before the scheduled crawl starts. The scheduled crawl refuses it; the scheduler
    reports the skipped time as when it sees the crawl by hand itself, and records no run."""
    config = load_config(_config(tmp_path, ZJDAILY))  # Crawl-delay: 1 kept: the crawl by hand goes on
    pid_file = tmp_path / "hand.pid"
    python = tmp_path / "python"
    python.write_text(_HAND_CRAWL_FIRST.format(
        python=sys.executable, replay=str(ZJDAILY), db=str(config.archive), root=str(ROOT),
        pid_file=str(pid_file), lock=str(tmp_path / "jobs" / "zjdaily" / LOCK_FILE),
        marker=str(tmp_path / "jobs" / "zjdaily" / RUNNING_MARKER)), "utf-8")
    python.chmod(0o755)
    lines: list[str] = []
    failed, hand = _scheduled_beside(config, python, pid_file, lines)
    text = "\n".join(lines)
    assert failed == 0, text
    assert lines[-1].endswith(f"zjdaily: another crawl (process {hand}, not started by the scheduler) is"
                              " using its job directory; skipping this scheduled time"), text
    assert "crawl ended" not in text and "crashed" not in text
    (log,) = (tmp_path / "logs").glob("zjdaily-*-*.log")  # the scheduled crawl's, which refused
    assert "Error: another crawl (process" in log.read_text("utf-8")
    with Archive.open(config.archive, create=False) as archive:
        assert [run["status"] for run in archive.runs()] == ["running"]  # the crawl by hand's


# Run by the scheduler as its Python: once the scheduler has found the job directory free, a
# process takes its lock without naming itself in the lock file (it holds it until killed); then
# the scheduled crawl runs as the real interpreter would, and finds the directory taken.
_UNNAMED_HOLDER_FIRST = '''#!{python}
import os, subprocess, sys
holder = subprocess.Popen(
    [{python!r}, "-c", "import fcntl, signal, sys; lock = open(sys.argv[1], 'a+b');"
     " fcntl.flock(lock, fcntl.LOCK_EX); print('held', flush=True); signal.pause()", {lock!r}],
    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, start_new_session=True)
with open({pid_file!r}, "w") as out:
    out.write(str(holder.pid))
if holder.stdout.readline() != "held\\n":
    sys.exit("the lock's holder did not take the lock")
os.execv({python!r}, [{python!r}, *sys.argv[1:]])
'''


def test_a_job_directory_taken_after_the_schedulers_look_by_a_process_naming_none_is_skipped(
    tmp_path: Path, fast_portal: Path,
) -> None:
    """The race, with a holder that writes no process id into the lock file: the scheduled crawl
    refuses the directory (``process unknown``), and the scheduler reports the skipped time as
    when it sees such a holder itself; no run recorded crashed."""
    config = load_config(_config(tmp_path, fast_portal))
    job = tmp_path / "jobs" / "zjdaily"
    job.mkdir(parents=True)
    pid_file = tmp_path / "holder.pid"
    python = tmp_path / "python"
    python.write_text(_UNNAMED_HOLDER_FIRST.format(
        python=sys.executable, lock=str(job / LOCK_FILE), pid_file=str(pid_file)), "utf-8")
    python.chmod(0o755)
    lines: list[str] = []
    failed, _ = _scheduled_beside(config, python, pid_file, lines)
    text = "\n".join(lines)
    assert failed == 0, text
    assert lines[-1].endswith(f"zjdaily: another crawl (its process not named in {LOCK_FILE}, not started by"
                              " the scheduler) is using its job directory; skipping this scheduled time"), text
    assert "crawl ended" not in text and "crashed" not in text and "process 0" not in text
    (log,) = (tmp_path / "logs").glob("zjdaily-*-*.log")  # the scheduled crawl's, which refused
    assert "Error: another crawl (process unknown) is using the job directory" in log.read_text("utf-8")
    assert not config.archive.exists()


# Run by the scheduler as its Python: the crawl starts as the real interpreter would once the
# file ``go`` exists. The scheduler starts it with SIGINT and SIGTERM blocked, and the one it
# sends meanwhile stays pending through ``execv``: it comes while the crawl starts, certainly.
_CRAWL_ONCE_TOLD = """#!{python}
import os, sys, time
while not os.path.exists({go!r}):
    time.sleep(0.05)
os.execv({python!r}, [{python!r}, *sys.argv[1:]])
"""

# ``newscrawler schedule ...`` starting its crawls with the Python ``sys.argv[1]``.
_SCHEDULER_WITH_PYTHON = """
import sys
sys.executable = sys.argv.pop(1)  # the default of ``Scheduler(python=...)``
from newscrawler.__main__ import main
sys.argv[0] = "newscrawler"
main()
"""


def test_a_crawl_stopped_while_it_starts_is_recorded_as_shutdown_without_a_traceback(
    tmp_path: Path, fast_portal: Path
) -> None:
    """Ctrl-C on the scheduler just after it started a crawl, which is still starting: the crawl
    ends as a crawl stopped once running does, ``shutdown``, with one line saying so; no
    KeyboardInterrupt, no run recorded ``killed``."""
    path = _config(tmp_path, fast_portal)
    python, go = tmp_path / "python", tmp_path / "go"
    python.write_text(_CRAWL_ONCE_TOLD.format(python=sys.executable, go=str(go)), "utf-8")
    python.chmod(0o755)
    process = subprocess.Popen(
        [sys.executable, "-c", _SCHEDULER_WITH_PYTHON, str(python), "schedule", "run", "--once",
         "--config", str(path)],
        cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    try:
        lines = [process.stdout.readline()]
        assert "zjdaily: crawl started" in lines[0], lines
        process.send_signal(signal.SIGINT)
        while "sending SIGINT to zjdaily" not in lines[-1]:
            lines.append(process.stdout.readline())
            assert lines[-1], lines
        go.touch()
    except BaseException:
        process.kill()
        go.touch()
        raise
    output = "".join(lines) + process.communicate(timeout=120)[0]
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    (ended,) = [line for line in output.splitlines() if "crawl ended" in line]
    assert ended.endswith("  stopped by SIGINT as it started, before fetching anything"), output
    assert " shutdown " in ended and "pages 0 " in ended
    with Archive.open(tmp_path / "archive.sqlite", create=False) as archive:
        (run,) = archive.runs()
    assert run["status"] == "shutdown"
    assert run["stats"]["newscrawler/stopped_while_starting"] == "SIGINT"
    assert "newscrawler/scheduler/failure" not in run["stats"]
    (log,) = (tmp_path / "logs").glob("zjdaily-*.log")
    assert "Traceback" not in log.read_text("utf-8")


def test_a_crawl_stopped_while_it_waits_for_the_locked_archive_is_recorded_as_shutdown(
    tmp_path: Path, fast_portal: Path
) -> None:
    """The scheduled crawl waits at its start for the archive another process holds locked, and
    the scheduler is stopped: the crawl ends as one stopped as it starts, its run not recorded
    (that needs the lock). The scheduler records it as such, ``shutdown``, not as a crash."""
    path = _config(tmp_path, fast_portal)
    db = tmp_path / "archive.sqlite"
    process = None
    with archive_held_locked(db) as locker:
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "newscrawler", "schedule", "run", "--once", "--config", str(path)],
                cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
            deadline = time.monotonic() + 90
            log = None
            while log is None or "Waiting for the archive" not in log.read_text("utf-8", "replace"):
                assert process.poll() is None and time.monotonic() < deadline, "the crawl did not start"
                log = next(iter((tmp_path / "logs").glob("zjdaily-*-*.log")), None)
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            # The crawl has ended, the archive still locked: then the other writer lets it go.
            while "crawl of zjdaily: " not in log.read_text("utf-8", "replace"):
                assert process.poll() is None and time.monotonic() < deadline, "the crawl did not end"
                time.sleep(0.05)
            assert locker.poll() is None
            locker.communicate("done\n", timeout=30)
            output, _ = process.communicate(timeout=120)
        finally:
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert "Traceback" not in output and "crashed" not in output, output
    assert "sending SIGINT to zjdaily" in output, output
    (ended,) = [line for line in output.splitlines() if "crawl ended" in line]
    assert "zjdaily: crawl ended (exit 1): #1  zjdaily" in ended, output
    assert " shutdown " in ended and "pages 0 " in ended, output
    assert ended.endswith("  stopped by SIGINT as it started, before fetching anything"), output
    crawl_log = log.read_text("utf-8")
    assert "this crawl's run is not recorded in it" in crawl_log, crawl_log[-3000:]
    with Archive.open(db, create=False) as archive:
        (run,) = archive.runs()
    assert run["status"] == "shutdown"
    assert run["stats"]["newscrawler/stopped_while_starting"] == "SIGINT"
    assert "newscrawler/scheduler/failure" not in run["stats"]


def _crashing_python(tmp_path: Path) -> Path:
    """A crawl that fails before recording its run: the scheduler records it."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'Error: the crawl could not start' >&2\nexit 1\n")
    fake.chmod(0o755)
    return fake


def test_an_archive_locked_past_the_wait_as_a_run_is_recorded_is_one_line_naming_the_log(
    tmp_path: Path, fast_portal: Path
) -> None:
    """Another process holds the archive locked longer than the scheduler waits to record a
    crawl's run: one line says so and where the crawl's log is, not a traceback; the schedule
    goes on."""
    config = load_config(_config(tmp_path, fast_portal))
    lines: list[str] = []
    with archive_held_locked(config.archive) as locker:
        failed = Scheduler(config, echo=lines.append, python=str(_crashing_python(tmp_path)),
                           archive_wait=0.5).run(once=True)
        assert locker.poll() is None
    text = "\n".join(lines)
    assert failed == 1, text
    assert "Traceback" not in text, text
    (log,) = (tmp_path / "logs").glob("zjdaily-*-*.log")
    assert lines[-2].endswith(f"zjdaily: waiting for the archive {config.archive}, which another process"
                              " holds locked, to record the run; a stop of the scheduler ends the wait"), text
    assert lines[-1].endswith(
        f"zjdaily: crawl ended (exit 1): run not recorded: {config.archive} stayed locked by another process"
        f" writing to it for 0.5 s; the crawl's log keeps what it did: {log}"), text
    assert "the crawl could not start" in log.read_text("utf-8")
    with Archive.open(config.archive, create=False) as archive:
        assert archive.runs() == []


def test_a_stop_ends_the_schedulers_wait_for_the_locked_archive(tmp_path: Path, fast_portal: Path) -> None:
    """The scheduler waits to record a crawl's run while another process holds the archive
    locked, and is stopped (SIGINT): it ends without waiting for the lock, with one line saying
    the run is not recorded and where the crawl's log is. Its stop line counts the crawl whose
    run it was recording, not "nothing running"."""
    path = _config(tmp_path, fast_portal)
    db = tmp_path / "archive.sqlite"
    process = None
    with archive_held_locked(db) as locker:
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _SCHEDULER_WITH_PYTHON, str(_crashing_python(tmp_path)), "schedule", "run",
                 "--once", "--config", str(path)],
                cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
            assert process.stdout is not None
            lines = [process.stdout.readline()]
            while "waiting for the archive" not in lines[-1]:
                lines.append(process.stdout.readline())
                assert lines[-1], lines
            process.send_signal(signal.SIGINT)
            output = "".join(lines) + process.communicate(timeout=120)[0]
            assert locker.poll() is None  # the scheduler ended with the archive still locked
        finally:
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert "Traceback" not in output, output
    (log,) = (tmp_path / "logs").glob("zjdaily-*-*.log")
    (ended,) = [line for line in output.splitlines() if "crawl ended" in line]
    assert ended.endswith(
        f"zjdaily: crawl ended (exit 1): run not recorded: the scheduler was stopped while {db} was"
        f" locked by another process writing to it; the crawl's log keeps what it did: {log}"), output
    (stopping,) = [line for line in output.splitlines() if "SIGINT: stopping" in line]
    assert stopping.endswith("SIGINT: stopping; 0 crawl(s) running; the run of zjdaily, which ended,"
                             " is being recorded"), output
    with Archive.open(db, create=False) as archive:
        assert archive.runs() == []
