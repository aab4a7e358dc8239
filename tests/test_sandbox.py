"""A workspace template can do no harm: known Jinja escapes (SSTI payloads) in a copy of a real
deck template are refused under ``build``, ``check`` and ``watch``, naming the template; no
command runs, no file outside leaks into any output; and rendering is bounded in memory and time.
"""

from __future__ import annotations

import datetime
import json
import os
import pickle
import resource
import shutil
import signal
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.app.cli import cli
from generator.app.watch import Target, Watcher
from generator.compose import sandbox, templating
from generator.compose.templating import TemplateLibrary
from generator.errors import TemplateProblem
from generator.resources import default_templates_dir
from tests.conftest import MINIMAL_PROJECT, write

BASE = "templates/deck/base.yaml.j2"
SECRET = "TOPSECRET-7d1c"


class _Touch:
    """Unpickled, runs ``touch MARKER``: what a pickle payload smuggles in."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _pickle(marker: Path) -> str:
    """A Jinja string literal holding a protocol-0 (text) pickle that touches ``marker``."""
    return json.dumps(pickle.dumps(_Touch(marker), protocol=0).decode("latin-1"))


# Each payload is what follows "subject: " in a copy of the real deck/base.yaml.j2. {M} is a
# marker file a successful escape would create, {S} a JSON file whose text must not leak, {P} a
# pickle that creates the marker.
PAYLOADS = {
    # the deprecated pydantic methods of the content models (issue 15, item 1)
    "parse_raw-pickle": '{{ content.parse_raw({P}, proto="pickle", allow_pickle=True) }}',
    "parse_raw-pickle-nested": '{{ sel.audience.parse_raw({P}, proto="pickle", '
    "allow_pickle=True) }}",
    "parse_file": '{{ content.parse_file("{S}").pitch.key_message }}',
    "parse_file-smart-city": '{{ smart_city.parse_file("{S}") }}',
    "model_validate_json": "{{ content.model_validate_json('{\"a\": 1}') }}",
    "copy": "{{ pitch.copy(update={'key_message': 'x'}).key_message }}",
    "construct": "{{ project.construct(title='x').title }}",
    "model_copy": "{{ content.model_copy().pitch.key_message }}",
    "model_dump_json": "{{ content.model_dump_json() }}",
    "formatter-object": "{{ fmt.money.__self__ }}",
    "figures-object": "{{ figures.__class__.__init__.__globals__ }}",
    # dunder chains
    "str-mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "model-class-globals": "{{ content.__class__.__init__.__globals__['os'].system('touch {M}') }}",
    "function-globals": "{{ fmt.money.__globals__['os'].system('touch {M}') }}",
    "init-globals": "{{ pitch.__init__.__globals__.__builtins__.open('{S}').read() }}",
    "getitem-dunder": "{{ pitch['__class__'] }}",
    # Jinja's globals
    "cycler": "{{ cycler.__init__.__globals__.os.popen('touch {M}').read() }}",
    "joiner": "{{ joiner.__init__.__globals__.os.popen('touch {M}').read() }}",
    "namespace": "{{ namespace.__init__.__globals__.os.popen('touch {M}').read() }}",
    "lipsum": "{{ lipsum.__globals__['os'].popen('touch {M}').read() }}",
    "range": "{{ range.__globals__['os'].popen('touch {M}').read() }}",
    "dict-global": "{{ dict.__base__.__subclasses__() }}",
    "cycler-instance": "{{ cycler(1, 2).__class__ }}",
    # format strings, attr(), map(attribute=)
    "str-format": '{{ "{0.__class__.__init__.__globals__}".format(pitch) }}',
    "str-format-map": '{{ "{x.__class__}".format_map({"x": pitch}) }}',
    "format-filter": '{{ "%s" | format(pitch.__class__) }}',
    "attr-filter": "{{ pitch | attr('__class__') }}",
    "attr-filter-method": "{{ (content | attr('parse_file'))('{S}') }}",
    "map-attribute": "{{ [pitch] | map(attribute='__class__') | list }}",
    "map-attribute-method": "{{ [content] | map(attribute='parse_file') | first }}",
    "sort-attribute": "{{ [pitch, pitch] | sort(attribute='__class__') }}",
    # the template's own objects
    "self-context": "{{ self._TemplateReference__context }}",
    "loop-internals": "{% for x in [1] %}{{ loop._iterator }}{% endfor %}",
    "loop-class": "{% for x in [1] %}{{ loop.__class__.__init__.__globals__ }}{% endfor %}",
    "generator-frame": "{{ (range(3) | map('string')).gi_frame.f_back.f_globals }}",
    "macro-globals": "{{ m.item.__globals__ }}",
    "request-global": "{{ request.application.__globals__.__builtins__ }}",
    "config-global": "{{ config.items() }}",
    # changing the data the next template sees
    "labels-clear": "{{ t.clear() }}",
    "list-append": "{{ content.benefits.append(1) }}",
    "dict-update": "{{ sel.update({'has': 1}) }}",
}


def _payload(text: str, marker: Path, secret: Path) -> str:
    return (
        text.replace("{M}", str(marker)).replace("{S}", str(secret)).replace("{P}", _pickle(marker))
    )


@pytest.fixture
def attack(tmp_path: Path) -> dict[str, Path]:
    """A one-project workspace with a copy of the real deck/base.yaml.j2, a marker path an
    escape would create and a secret JSON file an escape would read."""
    root = tmp_path / "ws"
    write(root / "content" / "p" / "project.yaml", MINIMAL_PROJECT)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.json"
    secret.write_text(
        json.dumps(
            {
                "project": {"title": SECRET, "municipality": SECRET},
                "pitch": {"key_message": SECRET},
                "secret": SECRET,
            }
        ),
        encoding="utf-8",
    )
    return {"root": root, "marker": outside / "pwned", "secret": secret}


def _plant(attack: dict[str, Path], text: str) -> None:
    """The real deck/base.yaml.j2 in the workspace's templates/, its subject line ``text``."""
    original = (default_templates_dir() / "deck" / "base.yaml.j2").read_text(encoding="utf-8")
    line = "subject: {{ pitch.key_message }}\n"
    assert line in original
    payload = _payload(text, attack["marker"], attack["secret"])
    write(attack["root"] / BASE, original.replace(line, f"subject: {payload}\n"))


def _document_texts(folder: Path) -> str:
    """Every file under ``folder`` as text, the parts of .pptx/.docx packages unpacked."""
    texts = []
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        if not path.is_file():
            continue
        if path.suffix in (".pptx", ".docx"):
            with zipfile.ZipFile(path) as package:
                texts += [package.read(n).decode("utf-8", "replace") for n in package.namelist()]
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def _assert_harmless(attack: dict[str, Path], code: int, out: str) -> None:
    assert code == 1, out
    assert BASE in out, out
    assert "Traceback" not in out and "unexpected problem" not in out, out
    assert not attack["marker"].exists(), "the payload ran a command"
    assert SECRET not in out
    written = _document_texts(attack["root"] / "output")
    assert SECRET not in written
    assert not list((attack["root"] / "output").rglob("*.pptx"))


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_refused_by_build(attack: dict[str, Path], name: str) -> None:
    _plant(attack, PAYLOADS[name])
    code, out = _cli("build", str(attack["root"]), "--jobs", "1")
    _assert_harmless(attack, code, out)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_refused_by_check(attack: dict[str, Path], name: str) -> None:
    _plant(attack, PAYLOADS[name])
    code, out = _cli("check", str(attack["root"]))
    _assert_harmless(attack, code, out)


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payload_is_refused_by_a_watch_rebuild(attack: dict[str, Path], name: str) -> None:
    _plant(attack, PAYLOADS[name])
    said: list[str] = []
    watcher = Watcher(attack["root"], None, pdf=False, preview=False, say=said.append)
    try:
        ok = watcher.rebuild(Target(attack["root"], None))
    finally:
        watcher.close()
    _assert_harmless(attack, 0 if ok else 1, "\n".join(said))


# -- the template context is plain data ----------------------------------------------------------

PLAIN = (str, int, float, bool, type(None), datetime.date)


def _assert_plain(value: Any, where: str) -> None:
    if isinstance(value, dict):
        assert isinstance(value, sandbox.Record), where
        for key, item in value.items():
            _assert_plain(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        assert isinstance(value, sandbox.Items | tuple), where
        for i, item in enumerate(value):
            _assert_plain(item, f"{where}[{i}]")
    elif callable(value):
        assert getattr(value, "_template_function", False) is True, where
    else:
        assert isinstance(value, PLAIN), f"{where}: {type(value).__name__}"


def test_every_template_value_is_plain_read_only_data(workspace: Path) -> None:
    from generator.compose.programme import programme_context
    from generator.compose.render import build_context
    from generator.compose.selection import select
    from generator.content.loader import load_workspace

    ws = load_workspace(workspace)
    for project in ws.projects:
        library = TemplateLibrary.for_project(project.folder, ws.root)
        for key in ws.audience_keys_for(project):
            selection = select(project.content, key, ws.audience(project, key))
            for name, value in build_context(ws, project, selection, library).items():
                _assert_plain(value, name)
    library = TemplateLibrary.for_project(None, ws.root)
    for name, value in programme_context(ws, library).items():
        _assert_plain(value, name)
    context = build_context(ws, ws.projects[0], selection, library)
    with pytest.raises(TypeError):
        context["content"]["benefits"].append(1)
    with pytest.raises(TypeError):
        context["t"].clear()


def test_copies_of_the_default_templates_give_the_same_documents(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workspace path (rendered in a child process, under the ceilings) and the defaults'
    give byte-identical documents."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert TemplateLibrary.for_project(None, workspace).trusted
    code, out = _cli("build", str(workspace), "--jobs", "1", "-o", str(tmp_path / "a"))
    assert code == 0, out
    shutil.copytree(default_templates_dir() / "deck", workspace / "templates" / "deck")
    shutil.copytree(default_templates_dir() / "handout", workspace / "templates" / "handout")
    assert not TemplateLibrary.for_project(None, workspace).trusted
    code, out = _cli("build", str(workspace), "--jobs", "1", "-o", str(tmp_path / "b"))
    assert code == 0, out
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.pptx"))
    b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.pptx"))
    assert a == b and a
    for suffix in ("*.pptx", "*.docx"):
        for path in (tmp_path / "a").rglob(suffix):
            other = tmp_path / "b" / path.relative_to(tmp_path / "a")
            assert path.read_bytes() == other.read_bytes(), path.name


# -- resource ceilings ---------------------------------------------------------------------------

BIG = "'x' * 1000000"
CEILINGS = {
    "join-filter": (f"{{{{ range(3000) | join({BIG}) }}}}", "refused: join would be larger"),
    "str-join": (
        f"{{{{ ({BIG}).join(range(3000) | map('string')) }}}}",
        "refused: join() would be larger",
    ),
    "tilde": (
        f"{{% set ns = namespace(s={BIG}) %}}{{% for i in range(30) %}}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}",
        "refused: joining texts with ~ would be larger",
    ),
    "set-block": (
        "{% set s %}{% for i in range(3000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}"
        "{% endset %}{{ s | length }}",
        "refused: a block's output would be larger",
    ),
    "format-fields": (
        f"{{{{ ('%s' * 3000) | format(*[{BIG}] * 3000) }}}}",
        "refused: format() would be larger",
    ),
    "list-of-references": (f"{{{{ [{BIG}] * 3000 }}}}", "refused: the text of a value"),
    "indent": (
        f"{{{{ ('x\\n' * 900000) | indent({BIG}) }}}}",
        "refused: indent() would be larger",
    ),
    "wordwrap": (
        f"{{{{ ('x ' * 900000) | wordwrap(2, true, {BIG}) }}}}",
        "refused: wordwrap() would be larger",
    ),
    "replace": (f"{{{{ ('x' * 100000) | replace('x', {BIG}) }}}}", "refused: replace()"),
    "lipsum": ("{{ lipsum(100000) }}", "refused: lipsum()"),
    # Not one operation is too big here: 3000 different texts of a million characters each.
    # Only the memory ceiling stops it.
    "memory": (
        f"{{% set ns = namespace(l=[]) %}}{{% for i in range(3000) %}}"
        f"{{% set ns.l = ns.l + [({BIG}) ~ i] %}}{{% endfor %}}{{{{ ns.l | length }}}}",
        "rendering used more than 512 MB of memory and was stopped",
    ),
}


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_a_template_cannot_take_the_memory(attack: dict[str, Path], name: str) -> None:
    payload, message = CEILINGS[name]
    _plant(attack, payload)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    code, out = _cli("build", str(attack["root"]), "--jobs", "1")
    assert time.monotonic() - started < 30
    _assert_harmless(attack, code, out)
    assert message in out, out
    assert "fix the template, or remove it to use pitchkit's default" in out
    # the rendering ran in a child process: this one did not grow by gigabytes
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 400_000


def test_a_template_cannot_take_the_time(
    attack: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templating, "MAX_SECONDS", 2.0)
    _plant(
        attack, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    started = time.monotonic()
    code, out = _cli("build", str(attack["root"]), "--jobs", "1")
    assert time.monotonic() - started < 20
    _assert_harmless(attack, code, out)
    assert "rendering took longer than 2 seconds" in out


def test_a_render_that_ignores_its_clock_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the child's own clock cannot interrupt it (stuck with SIGALRM blocked), this
    process kills it shortly after the time limit."""
    monkeypatch.setattr(templating, "MAX_SECONDS", 1.0)

    def stuck() -> tuple[str, str]:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(120)
        return "", ""

    started = time.monotonic()
    with pytest.raises(TemplateProblem, match="took longer than 1 seconds and was stopped"):
        templating._in_worker(stuck, "deck/x.yaml.j2")
    assert time.monotonic() - started < 15


def test_pitchkits_own_templates_render_in_this_process(workspace: Path) -> None:
    """The defaults are trusted and stay fast; labels or a theme alone change nothing."""
    write(workspace / "templates" / "labels" / "nl.yaml", "why_now: Waarom nu?\n")
    assert TemplateLibrary.for_project(None, workspace).trusted
    write(workspace / "templates" / "deck" / "blocks" / "hook.yaml.j2", "")
    assert not TemplateLibrary.for_project(None, workspace).trusted
