"""``pitchkit init``: a new workspace with a worked example.

Contract: :func:`init_workspace` creates DIR with content/audiences.yaml, one example project with
its image, content/smart-city.yaml (Dutch), the JSON Schemas under .pitchkit/ that the files'
``$schema`` lines point to, and a .gitignore. It refuses a folder that already has content/, and
never replaces a file: into an existing folder it adds only what is missing (a .gitignore gets
its missing lines at the end, the user's lines stay), and nothing is written through a symbolic
link (every write goes through :class:`generator.pipeline.writer.Folder`; links are refused before
anything is written).
"""

from __future__ import annotations

from pathlib import Path

from generator.content.schema import schema_text
from generator.errors import PitchkitError
from generator.pipeline.writer import Folder
from generator.resources import default_content_dir, default_templates_dir

EXAMPLES = {"nl": "slimme-verlichting", "en": "smart-bins"}
#: What a workspace's .gitignore must hold: the built documents are not sources.
GITIGNORE = ("output/",)


def init_workspace(target: Path, language: str = "nl") -> list[Path]:
    """Create the workspace; return the files written (or, for .gitignore, added to)."""
    content = target / "content"
    if content.exists() or content.is_symlink():
        raise PitchkitError(
            f"{content} already exists; pitchkit init does not overwrite a workspace. "
            "Choose a new folder name."
        )
    files = _example_files(language, content)
    files |= {
        target / ".pitchkit" / f"{kind}.schema.json": schema_text(kind).encode()
        for kind in ("project", "audiences", "smart-city")
    }
    folder = Folder(target)
    ignore = target / ".gitignore"
    for path in [*files, ignore]:
        folder.check(path)  # a link anywhere on the way: refused before anything is written
    written = [path for path, data in files.items() if folder.create(path, data)]
    if _add_missing_lines(folder, ignore):
        written.append(ignore)
    return sorted(written)


def _example_files(language: str, content: Path) -> dict[Path, bytes]:
    """The example's files by where they go in ``content``."""
    source = default_content_dir()
    example = EXAMPLES[language]
    files = {
        content / example / path.relative_to(source / example): path.read_bytes()
        for path in sorted((source / example).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    if language == "en":
        english = default_templates_dir() / "scaffold" / "audiences.en.yaml"
        files[content / "audiences.yaml"] = english.read_bytes()
    else:
        files[content / "audiences.yaml"] = (source / "audiences.yaml").read_bytes()
        files[content / "smart-city.yaml"] = (source / "smart-city.yaml").read_bytes()
    return files


def _add_missing_lines(folder: Folder, ignore: Path) -> bool:
    """Create ``.gitignore``, or add the lines it lacks at its end; True if it changed."""
    if folder.create(ignore, "".join(f"{line}\n" for line in GITIGNORE).encode()):
        return True
    present = ignore.read_bytes()  # not a link: Folder.check refused that
    lines = {line.strip() for line in present.decode("utf-8", "replace").splitlines()}
    missing = [line for line in GITIGNORE if line not in lines and f"/{line}" not in lines]
    if not missing:
        return False
    start = b"\n" if present and not present.endswith(b"\n") else b""
    folder.append(ignore, start + "".join(f"{line}\n" for line in missing).encode())
    return True
