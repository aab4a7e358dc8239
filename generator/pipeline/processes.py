"""Helper processes and their temporary folders never outlive pitchkit.

Contract: :func:`die_with_parent` (in a pool worker) and :func:`guarded` (around LibreOffice)
make helper processes end when pitchkit ends, even when it is killed with SIGKILL.
:func:`work_folder` is a private temporary folder whose name holds the owning process's id
(``pitchkit-pdf-<pid>-xxxx``), removed on exit; :func:`remove_stale_work_folders` removes those
whose owner is gone (a killed build cannot clean up), and only those.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

#: The kinds of work folder; a stale one is recognised by this prefix and its owner's id.
_WORK = re.compile(r"pitchkit-(?:pdf|office|check|preview|fit)-(\d+)-[A-Za-z0-9_]+")


@contextlib.contextmanager
def work_folder(prefix: str) -> Iterator[Path]:
    """A new private folder in the system's temporary folder, removed with everything in it on
    exit; ``prefix`` is ``pitchkit-`` and one of ``pdf-``, ``office-``, ``check-``, ``preview-``
    or ``fit-`` (what :func:`remove_stale_work_folders` recognises)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
    try:
        yield folder
    finally:
        # ignore_errors: after a timeout, a killed soffice.bin may still be exiting while the
        # folder is removed; that must not hide the real error.
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_work_folders(folder: Path | None = None) -> list[Path]:
    """Remove the work folders of pitchkit processes that are gone; return them.

    A folder whose owner still runs is kept, as is one whose process id now belongs to a
    process that started after the folder was made (that process is not its owner, but it
    cannot be told apart everywhere): only provably dead owners lose their folders.
    """
    root = folder or Path(tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        found = _WORK.fullmatch(entry.name)
        if found is None or not entry.is_dir(follow_symlinks=False):
            continue
        if _owner_alive(int(found.group(1)), entry.stat(follow_symlinks=False).st_mtime):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _owner_alive(pid: int, made: float) -> bool:
    """Whether process ``pid`` may be the one that made a folder last changed at ``made``."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists (another user's): keep its folder
    started = _start_time(pid)
    return started is None or started <= made + 1


def _start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where the system says (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError):
        return None
    ticks = int(stat[stat.rfind(")") + 2 :].split()[19])
    return boot + ticks / os.sysconf("SC_CLK_TCK")


# -- processes that die with pitchkit -------------------------------------------------------

#: Run by a plain Python (``python -I guardian.py PARENT COMMAND...``): see its docstring.
GUARDIAN = Path(__file__).with_name("guardian.py")
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, signal_number: int = signal.SIGKILL) -> None:
    """Have the kernel send ``signal_number`` to this process when ``parent`` (the process that
    started it) ends, however it ends: SIGKILL included (Linux; elsewhere nothing happens).

    If the parent ended before this was set up, this process ends now.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal_number, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal_number)


def guarded(command: Sequence[str]) -> list[str]:
    """``command`` run under a guardian that kills it, and everything it starts, when pitchkit
    ends for any reason (POSIX; start it with ``start_new_session=True``, so that the guardian
    leads the process group and :func:`os.killpg` on its id stops all of it)."""
    if os.name != "posix":
        return list(command)
    return [sys.executable, "-I", "-S", str(GUARDIAN), str(os.getpid()), *command]
