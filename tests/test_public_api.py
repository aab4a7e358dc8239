"""The public API, used as a library user would: ``from generator import ...``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import generator
from tests.conftest import EXAMPLE_CONTENT


def test_every_public_name_imports() -> None:
    for name in generator.__all__:
        assert getattr(generator, name) is not None, name
    assert "build" in dir(generator)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        generator.no_such_thing  # noqa: B018


def test_import_generator_stays_cheap() -> None:
    """The command line imports ``generator`` first: it must not pull in the builders."""
    code = "import sys, generator; print(any(m.startswith('pptx') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_build_check_and_load_as_a_library(tmp_path: Path) -> None:
    from generator import (
        BuildReport,
        CheckResult,
        ContentError,
        PitchkitError,
        build,
        check_workspace,
        init_workspace,
        load_workspace,
    )

    root = tmp_path / "ws"
    init_workspace(root)
    workspace = load_workspace(root)
    assert workspace.projects
    report = build(root, out=tmp_path / "out")
    assert isinstance(report, BuildReport)
    assert list((tmp_path / "out").rglob("*.pptx")) and list((tmp_path / "out").rglob("*.docx"))
    result = check_workspace(root, pages=False)
    assert isinstance(result, CheckResult)
    assert issubclass(ContentError, PitchkitError)
    assert EXAMPLE_CONTENT.is_dir()


def test_a_content_error_is_raised_not_printed(tmp_path: Path) -> None:
    from generator import ContentError, build, init_workspace

    root = tmp_path / "ws"
    init_workspace(root)
    project = next(root.rglob("project.yaml"))
    project.write_text(project.read_text(encoding="utf-8") + "\nnot: [valid\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        build(root, out=tmp_path / "out")
    assert "project.yaml" in str(raised.value)


def test_all_lists_exactly_the_public_names() -> None:
    assert sorted(generator.__all__) == sorted(["__version__", *generator._PUBLIC])
