"""``pitchkit preview``: pictures of every page, an offline index.html, checked in a real browser.

The browser test drives Debian's headless Chromium over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: NUL-separated JSON on file descriptors 3 and 4), so it needs no
extra Python package and no network port.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.app.preview import find_pdftoppm
from generator.export.pdf import find_soffice
from tests.conftest import write

MARKUP = "<b>x</b><script>document.title='pwned'</script>"
PROJECT = f"""\
project:
  title: "{MARKUP}"
  subtitle: Een test met <i>opmaak</i> & tekens
  municipality: Gemeente Klein
pitch:
  key_message: "Kernboodschap met <img src=x onerror=alert(1)>."
"""

needs_tools = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed"),
    pytest.mark.skipif(find_pdftoppm() is None, reason="pdftoppm (poppler-utils) not installed"),
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def previewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One preview of a small workspace whose content holds markup; returns the output folder."""
    if find_soffice() is None or find_pdftoppm() is None:
        pytest.skip("LibreOffice and pdftoppm are needed")
    root = tmp_path_factory.mktemp("preview")
    write(root / "content" / "markup" / "project.yaml", PROJECT)
    result = CliRunner().invoke(cli, ["preview", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "open file://" in result.output
    return root / "output"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("src"):
            self.images.append(str(values["src"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


@pytest.mark.parametrize("page", ["index.html", "markup/index.html"])
def test_every_picture_and_link_exists(previewed: Path, page: str) -> None:
    html = (previewed / page).read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(html)
    assert parser.images, "the page shows pictures"
    for src in parser.images + parser.links:
        assert "://" not in src, f"{src}: nothing may come from the network"
        assert (previewed / page).parent.joinpath(unquote(src)).is_file(), src
    # Offline and inert: inline CSS, no scripts, a policy that allows neither.
    assert "<script" not in html and "<link" not in html
    assert "default-src 'none'" in html


def test_content_markup_is_escaped(previewed: Path) -> None:
    html = (previewed / "markup" / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;" in html
    assert "<b>x</b>" not in html and "<i>opmaak</i>" not in html
    assert "&lt;i&gt;opmaak&lt;/i&gt; &amp; tekens" in html


def test_pages_per_audience_side_by_side(previewed: Path) -> None:
    html = (previewed / "markup" / "index.html").read_text(encoding="utf-8")
    assert 'class="audiences" style="--columns: 2"' in html
    pictures = sorted((previewed / "markup" / "preview").glob("*.png"))
    decks = [p for p in pictures if "-pitch-" in p.name]
    handouts = [p for p in pictures if "-handout-" in p.name]
    assert decks and handouts
    assert {p.name.split("-")[1] for p in decks} == {"supporters", "doubters"}
    manifest = json.loads((previewed / "markup" / "preview" / "preview.json").read_text())
    assert manifest["title"] == MARKUP


@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None or find_pdftoppm() is None, reason="needs the tools")
def test_preview_after_build_pdf_and_again(tmp_path: Path) -> None:
    """Issue 15.8: a preview of an unchanged build (after ``build --pdf``, or a second preview)
    reads the kept documents back; it used to get empty bytes and fail with BadZipFile."""
    root = tmp_path / "ws"
    write(root / "content" / "markup" / "project.yaml", PROJECT)
    runner = CliRunner()
    built = runner.invoke(cli, ["build", str(root), "--pdf"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    for attempt in ("after build --pdf", "second preview"):
        result = runner.invoke(cli, ["preview", str(root)], catch_exceptions=False)
        assert result.exit_code == 0, f"{attempt}: {result.output}"
        assert "nothing changed since the last build" in result.output, attempt
        pictures = sorted((root / "output" / "markup" / "preview").glob("*-pitch-*.png"))
        assert len(pictures) > 3, attempt
        html = (root / "output" / "markup" / "index.html").read_text(encoding="utf-8")
        assert all(p.name in html for p in pictures), attempt


# -- a real browser ---------------------------------------------------------------------------


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="pitchkit-chromium-")
        # Chromium's ends are first moved above fd 9, so that putting them on 3 and 4 in the
        # child cannot overwrite one with the other when the pipe itself got fd 3 or 4.
        to_child_low, self._write = os.pipe()
        self._read, from_child_low = os.pipe()
        to_child = fcntl.fcntl(to_child_low, fcntl.F_DUPFD_CLOEXEC, 10)
        from_child = fcntl.fcntl(from_child_low, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child_low)
        os.close(from_child_low)
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]

        def on_fds_3_and_4() -> None:  # runs in the child, before exec
            os.dup2(to_child, 3)  # dup2 makes 3 and 4 inheritable; Python's own fds are not
            os.dup2(from_child, 4)

        self.process = subprocess.Popen(
            [executable, *flags],
            preexec_fn=on_fds_3_and_4,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._id = 0

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> Any:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raise TimeoutError(method)

    def open(self, url: str) -> str:
        """Open ``url`` in a new tab; return its session once the page has loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.send("Page.navigate", {"url": url}, session)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = self.evaluate(session, "[document.readyState, location.href]")
            if state == ["complete", url]:
                return session
            time.sleep(0.1)
        raise TimeoutError(f"{url} did not load")

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
        )
        return result["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Any:
    executable = chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is needed for the browser test in CI (.ci/run installs it)")
        pytest.skip("Chromium is not installed")
    instance = Browser(executable)
    yield instance
    instance.close()


@pytest.mark.parametrize("page", ["index.html", "markup/index.html"])
def test_in_a_browser_every_picture_loads(previewed: Path, browser: Browser, page: str) -> None:
    url = (previewed / page).resolve().as_uri()
    session = browser.open(url)
    images = browser.evaluate(
        session,
        "[...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])",
    )
    assert images, "the page shows pictures"
    broken = [src for src, complete, width in images if not (complete and width > 0)]
    assert broken == [], f"pictures that did not load: {broken}"
    assert browser.evaluate(session, "document.scripts.length") == 0


def test_in_a_browser_markup_shows_as_text(previewed: Path, browser: Browser) -> None:
    session = browser.open((previewed / "markup" / "index.html").resolve().as_uri())
    assert browser.evaluate(session, "document.querySelector('h1').textContent") == MARKUP
    assert browser.evaluate(session, "document.querySelectorAll('h1 *').length") == 0
    # The title shows the markup as text; had the script run, the title would be just 'pwned'.
    assert browser.evaluate(session, "document.title") == f"{MARKUP} · pitchkit preview"
    columns = browser.evaluate(
        session,
        "[...document.querySelectorAll('.audience')].map(e => e.getBoundingClientRect().left)",
    )
    assert len(columns) == 2 and columns[0] < columns[1], "audiences side by side"
