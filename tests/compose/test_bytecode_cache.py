"""Compiled templates in the user's cache folder: kept, and only a cache (damage costs a compile).

The cache key covers the source of every module that decides the compiled code.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from generator.compose import bytecode_cache as bytecode_cache_module
from generator.compose.bytecode_cache import COMPILING_MODULES, bytecode_cache


def cached_render(cache: jinja2.BytecodeCache, source: str) -> str:
    """``source`` rendered by a fresh environment on ``cache`` (as a new process would)."""
    env = jinja2.Environment(loader=jinja2.DictLoader({"t": source}), bytecode_cache=cache)
    return env.get_template("t").render()


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> jinja2.BytecodeCache:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = bytecode_cache()
    assert cache is not None
    return cache


def test_compiled_templates_are_kept_in_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_cache: jinja2.BytecodeCache
) -> None:
    assert cached_render(user_cache, "{{ 1 + 1 }}") == "2"
    assert list((tmp_path / "cache" / "pitchkit" / "templates").iterdir())
    # A cache folder that cannot be made means no cache, not an error.
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert bytecode_cache() is None


def test_a_damaged_or_unwritable_template_cache_only_costs_a_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_cache: jinja2.BytecodeCache
) -> None:
    import tempfile

    assert cached_render(user_cache, "{{ 2 * 3 }}") == "6"
    for entry in (tmp_path / "cache" / "pitchkit" / "templates").iterdir():
        whole = entry.read_bytes()
        entry.write_bytes(whole[: len(whole) - 20])  # header intact, compiled code cut off
    assert cached_render(user_cache, "{{ 2 * 3 }}") == "6"

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", full_disk)
    assert cached_render(user_cache, "{{ 1 }}") == "1"


@pytest.mark.parametrize("module", COMPILING_MODULES)
def test_the_cache_key_fails_loudly_when_a_compiling_module_is_not_found(
    monkeypatch: pytest.MonkeyPatch, module: str
) -> None:
    """The key is never a constant: a module whose source is missing is an error."""
    real = bytecode_cache_module.importlib.util.find_spec
    monkeypatch.setattr(
        bytecode_cache_module.importlib.util,
        "find_spec",
        lambda name: None if name == module else real(name),
    )
    bytecode_cache_module._code_version.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=module.replace(".", r"\.")):
            bytecode_cache_module._code_version()
    finally:
        bytecode_cache_module._code_version.cache_clear()


def test_the_sandbox_and_the_renderer_are_in_the_cache_key() -> None:
    """The sandbox's code generator and filters and the renderer's environment decide the
    compiled code: both modules' source is hashed."""
    assert {"generator.compose.sandbox", "generator.compose.templating"} <= set(COMPILING_MODULES)
