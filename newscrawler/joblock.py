"""One crawl per job directory: a lock file the crawl holds for its whole life.

Two crawls in one job directory would each take the other's queue and fingerprints for a dead
crawl's. The crawl that starts takes ``crawl.lock`` in the job directory with ``flock`` (taking it
is the check: no moment between finding the directory free and marking it taken) and holds it
until it closes. The kernel releases the lock when the process ends however it ends, SIGKILL
included, and before the process is reaped: a killed crawl leaves no stale lock, nor one that
lasts while its parent has not collected it yet.

The holder writes its process id into the lock file as soon as it has the lock, for the line a
refused crawl ends with (``JobDirInUse``, read back by the scheduler: ``job_dir_refused``). The
file itself is never removed: a lock file replaced while held would let a second crawl lock the
new file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from pathlib import Path
from typing import IO

LOCK_FILE = "crawl.lock"
# How long a crawl refused the lock waits for its holder to name itself: the holder writes its
# id right after taking the lock, and someone only looking (``job_dir_user``) holds it for an
# instant; past this, the holder is named unknown.
HOLDER_WAIT_SECONDS = 5.0


class JobDirInUse(RuntimeError):
    """Two crawls at once in one job directory would each discard the other's state."""


def process_lifetime(pid: int) -> str | None:
    """What tells process ``pid`` from a later one given the same id (the boot and the start
    time, from /proc); None where the system does not say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None
    # The fields after the command name, which is in parentheses and may hold anything:
    # the start time is the 22nd field of the line, the 20th of these.
    fields = stat[stat.rfind(")") + 2 :].split()
    return f"{boot}/{fields[19]}" if len(fields) > 19 else None


class JobDirLock:
    """A job directory's lock, held by this process until ``release`` (or the process ends)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def release(self) -> None:
        if self.handle.closed:
            return
        # The id of a crawl that ended must not be taken for the next holder's.
        self.handle.truncate(0)
        self.handle.close()  # closing the only descriptor releases the lock


def claim_job_dir(jobdir: str | Path) -> JobDirLock:
    """Take the job directory for this crawl, or raise ``JobDirInUse`` naming the crawl holding it."""
    path = Path(jobdir) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # Appending: opening never truncates what the holder wrote. Not inherited by the programs a
    # crawl runs (Python's default), and the crawl's worker is forked before the job directory is
    # claimed (``worker.StartWorker``): the lock lives exactly as long as the crawl's process.
    handle = path.open("a+b", buffering=0)
    deadline = time.monotonic() + HOLDER_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = _holder(path)
            if holder is not None or time.monotonic() > deadline:
                handle.close()
                raise _in_use(jobdir, holder) from None
            time.sleep(0.01)
    handle.truncate(0)
    handle.write(json.dumps({"pid": os.getpid(), "lifetime": process_lifetime(os.getpid())}).encode())
    return JobDirLock(handle)


def job_dir_user(jobdir: str | Path) -> int | None:
    """The process id of the live crawl holding ``jobdir``, or None when no crawl holds it
    (0 when one does but has not named itself)."""
    path = Path(jobdir) / LOCK_FILE
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        deadline = time.monotonic() + HOLDER_WAIT_SECONDS
        while True:
            try:
                # Shared, and released at once: the lock is free. A crawl taking it at this
                # instant tries again (``claim_job_dir``).
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return None
            except BlockingIOError:
                holder = _holder(path)
                if holder is not None:
                    return holder
                if time.monotonic() > deadline:
                    return 0
                time.sleep(0.01)


def check_job_dir(jobdir: str | Path) -> None:
    """Raise ``JobDirInUse`` when a live crawl holds ``jobdir`` (looked at before a crawl starts;
    the crawl takes it with ``claim_job_dir``)."""
    owner = job_dir_user(jobdir)
    if owner is not None:
        raise _in_use(jobdir, owner or None)


# What a refused crawl says (``_in_use``), and what the scheduler reads back from its output
# (``job_dir_refused``): both from here, so that the two change together. A holder that never
# named itself in the lock file is ``process unknown``.
_REFUSAL = ("another crawl (process {who}) is using the job directory {jobdir}; wait for it or give"
            " this one its own --job-dir")
_UNNAMED = "unknown"
_BEFORE_WHO, _AFTER_WHO = _REFUSAL.split("{who}")
_REFUSED = re.compile(re.escape(_BEFORE_WHO) + rf"(\d+|{re.escape(_UNNAMED)})"
                      + re.escape(_AFTER_WHO.split("{jobdir}")[0]))


def _in_use(jobdir: str | Path, owner: int | None) -> JobDirInUse:
    return JobDirInUse(_REFUSAL.format(who=owner if owner is not None else _UNNAMED, jobdir=jobdir))


def job_dir_refused(output: str) -> int | None:
    """The process a crawl found using its job directory, read from the crawl's output (the
    ``Error:`` line of ``newscrawler crawl``, which then exits 1): its id, 0 when the lock file
    named none (as ``job_dir_user`` says it); None when it said nothing of the kind. For the
    scheduler: a crawl started by hand took the directory first."""
    found = _REFUSED.findall(output)
    if not found:
        return None
    return 0 if found[-1] == _UNNAMED else int(found[-1])


def _holder(path: Path) -> int | None:
    """The live process the lock file names; None while the file names none (its holder is
    about to write its id), or a process that is gone or is another one now."""
    try:
        written = json.loads(path.read_bytes() or b"{}")
    except (OSError, ValueError):
        return None
    pid = written.get("pid") if isinstance(written, dict) else None
    if not isinstance(pid, int) or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, under another user
    lifetime = written.get("lifetime")
    if isinstance(lifetime, str) and process_lifetime(pid) not in (None, lifetime):
        return None
    return pid
