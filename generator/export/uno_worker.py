"""Convert documents to PDF in one LibreOffice that keeps running (run by a Python with ``uno``).

This file is run as a script by the Python that LibreOffice's ``uno`` module belongs to (on
Debian ``/usr/bin/python3`` with python3-uno), not by pitchkit's own Python, so it imports only
the standard library and ``uno``. :mod:`generator.export.office` starts it and talks to it:

    python3 uno_worker.py SOFFICE PROFILE_URL PIPE_NAME PARENT_PID

It starts ``soffice`` listening on a named pipe with its own profile, connects, prints one JSON
line ``{"ready": true}`` (or ``{"error": ...}``), then reads one JSON request per line on stdin,
``{"input": path, "output": path, "filter": name, "options": {name: value}}``, and answers each
with ``{"ok": true}`` or ``{"ok": false, "error": text}``. When stdin closes it stops LibreOffice;
when pitchkit (PARENT_PID) ends, even killed, it gets SIGTERM (Linux ``PR_SET_PDEATHSIG``) and
kills LibreOffice's process group, then itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

START_TIMEOUT = 120.0


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _prop(name: str, value: Any) -> Any:
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _convert(desktop: Any, request: dict[str, Any]) -> None:
    url = uno.systemPathToFileUrl(request["input"])
    doc = desktop.loadComponentFromURL(
        url, "_blank", 0, (_prop("Hidden", True), _prop("ReadOnly", True))
    )
    if doc is None:
        raise RuntimeError("LibreOffice could not open the file")
    try:
        options = tuple(_prop(k, v) for k, v in request.get("options", {}).items())
        args = (
            _prop("FilterName", request["filter"]),
            _prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue", options)),
        )
        # uno.invoke: the FilterData sequence must reach LibreOffice typed, not as a tuple.
        uno.invoke(
            doc,
            "storeToURL",
            (
                uno.systemPathToFileUrl(request["output"]),
                uno.Any("[]com.sun.star.beans.PropertyValue", args),
            ),
        )
    finally:
        doc.close(True)


_OFFICE: list[subprocess.Popen[bytes]] = []  # the LibreOffice started, once it is


def _stop(*_args: object) -> None:
    """Pitchkit is gone: kill LibreOffice's process group, then end."""
    for process in _OFFICE:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    os._exit(1)


def _die_with_parent(parent: int) -> None:
    signal.signal(signal.SIGTERM, _stop)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PDEATHSIG
    if os.getppid() != parent:
        _stop()


def main() -> int:
    soffice, profile_url, pipe_name = sys.argv[1:4]
    if len(sys.argv) > 4:
        _die_with_parent(int(sys.argv[4]))
    process = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile_url}",
            f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _OFFICE.append(process)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext"
                )
                break
            except NoConnectException:
                if process.poll() is not None or time.monotonic() > deadline:
                    _say({"error": "LibreOffice did not start"})
                    return 1
                time.sleep(0.2)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        _say({"ready": True, "pid": process.pid})
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            try:
                _convert(desktop, request)
                _say({"ok": True})
            except Exception as exc:  # every failure goes back to pitchkit as text
                _say({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        with contextlib.suppress(Exception):
            desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        return 0
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
