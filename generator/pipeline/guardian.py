"""Run a command and kill it, with everything it started, when pitchkit ends.

Run as a script by pitchkit's Python, standard library only, as the leader of a new process
group (``start_new_session=True``):

    python -I -S guardian.py PARENT_PID COMMAND [ARGUMENT...]

It asks the kernel for SIGTERM when its parent ends (Linux ``PR_SET_PDEATHSIG``; elsewhere it
checks its parent once a second) and then kills its whole process group: LibreOffice's
``soffice`` script, ``oosplash`` and ``soffice.bin``, which would otherwise outlive a killed
build (``soffice.bin`` is not the direct child, so a death signal of its own would not fire).
Its exit status is the command's.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def _stop(*_args: object) -> None:
    """Kill the whole process group: the command, what it started, and this guardian."""
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            _stop()


def main() -> int:
    parent, command = int(sys.argv[1]), sys.argv[2:]
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)  # lead a group of its own, so that _stop never reaches its caller's
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # pitchkit ended before the death signal was set up
        _stop()
    child = subprocess.Popen(command)  # same process group; standard streams passed on
    while True:
        with contextlib.suppress(InterruptedError):
            return child.wait()


if __name__ == "__main__":
    sys.exit(main())
