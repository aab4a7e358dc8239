"""Issue 6, bad input: every case gets exit status 1, a message naming file, line or field and
what to do, no traceback, and the documents of an earlier build stay exactly as they were.

Each case starts from a copy of one workspace that was built before (``previous``), breaks one
thing, and runs ``pitchkit build`` through click's CliRunner, as a user would.
"""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from PIL import Image
from pptx import Presentation

from generator.app.cli import cli
from generator.errors import BuildError
from generator.pipeline.writer import OutputLock, check_targets
from tests.conftest import write

BAD = Path(__file__).parent / "data" / "bad"

BASE_PROJECT = """\
project:
  title: Slimme verlichting
  municipality: Gemeente Klein
pitch:
  key_message: Minder stroom, even veilig.
images:
  - file: images/foto.png
    alt: Een straat met nieuwe lantaarnpalen
"""
IMAGE_CASE = """\
project:
  title: Slimme verlichting
  municipality: Gemeente Klein
pitch:
  key_message: Minder stroom, even veilig.
images:
  - file: {file}
    alt: Een straat met nieuwe lantaarnpalen
"""


def _save_photo(path: Path, fmt: str = "PNG", size: tuple[int, int] = (320, 200)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (40, 90, 160)).save(path, format=fmt)


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one project, built once: the documents no bad input may touch."""
    root = tmp_path_factory.mktemp("previous")
    write(root / "content" / "p" / "project.yaml", BASE_PROJECT)
    _save_photo(root / "content" / "p" / "images" / "foto.png")
    code, out = run_build(root)
    assert code == 0, out
    return root


def run_build(root: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", str(root), "--jobs", "1", *extra])
    return result.exit_code, result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (dot files too) by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def copy(previous: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(previous, root)
    return root


# -- the cases -----------------------------------------------------------------------------------

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Bad:
    id: str
    setup: Setup
    expected: tuple[str, ...]  # lines (or exact parts of lines) the user must read


def project(text: str) -> Setup:
    def setup(root: Path) -> None:
        write(root / "content" / "p" / "project.yaml", text)

    return setup


CORPUS_USED: set[str] = set()


def corpus(name: str) -> Setup:
    CORPUS_USED.add(name)

    def setup(root: Path) -> None:
        shutil.copyfile(BAD / name, root / "content" / "p" / "project.yaml")

    return setup


def raw(data: bytes) -> Setup:
    def setup(root: Path) -> None:
        (root / "content" / "p" / "project.yaml").write_bytes(data)

    return setup


def image(file: str, make: Callable[[Path], None] | None = None) -> Setup:
    def setup(root: Path) -> None:
        folder = root / "content" / "p"
        write(folder / "project.yaml", IMAGE_CASE.format(file=file))
        if make is not None:
            make(folder)

    return setup


def template(relative: str, text: str) -> Setup:
    def setup(root: Path) -> None:
        write(root / "templates" / relative, text)

    return setup


def both(*steps: Setup) -> Setup:
    def setup(root: Path) -> None:
        for step in steps:
            step(root)

    return setup


def _truncated(folder: Path) -> None:
    _save_photo(folder / "whole.png")
    data = (folder / "whole.png").read_bytes()
    (folder / "half.png").write_bytes(data[: len(data) // 2])


def _corrupt(folder: Path) -> None:
    _save_photo(folder / "whole.jpg", "JPEG", (640, 480))
    data = bytearray((folder / "whole.jpg").read_bytes())
    data[len(data) // 3 : len(data) // 3 + 400] = b"\x00" * 400  # scan data overwritten
    data = data[: len(data) - 100]  # and the end marker lost
    (folder / "broken.jpg").write_bytes(bytes(data))


def _bomb(folder: Path) -> None:
    """A real decompression bomb: a 110 kB PNG that decodes to 900 million pixels."""
    width = height = 30_000
    row = b"\x00" + b"\x00" * (width // 8)  # filter byte + one bit per pixel
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row * 1000) for _ in range(height // 1000)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    (folder / "bomb.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _unsafe_audiences(root: Path) -> None:
    write(
        root / "content" / "audiences.yaml",
        "raad/commissie:\n  name: Raad\n  stages:\n    start:\n      goal: Informeren\n",
    )


def _case_clash_audiences(root: Path) -> None:
    write(
        root / "content" / "audiences.yaml",
        "Raad:\n  name: Raad\n  stages:\n    start:\n      goal: Informeren\n"
        "raad:\n  name: Raadsleden\n  stages:\n    start:\n      goal: Enthousiasmeren\n",
    )


def _unsafe_folder(root: Path) -> None:
    write(
        root / "content" / "Slimme verlichting!" / "project.yaml", BASE_PROJECT.split("images")[0]
    )


def _case_clash_folders(root: Path) -> None:
    write(root / "content" / "P" / "project.yaml", BASE_PROJECT.split("images")[0])


def _undefined_name(root: Path) -> None:
    template(
        "deck/supporters.yaml.j2",
        '{% extends "deck/base.yaml.j2" %}\n'
        "{% block opening %}\n"
        "  - kind: title\n"
        "    title: {{ projct.title }}\n"
        "{% endblock %}\n",
    )(root)


P = "content/p/project.yaml"
SUPPORTERS = "templates/deck/supporters.yaml.j2"

CASES = [
    Bad(
        "yaml-syntax-error",
        corpus("yaml-syntax-error.yaml"),
        (
            f"{P}:5: not valid YAML: a quote that starts on this line is never closed; end the "
            "text with the same quote mark (\" or ')",
        ),
    ),
    Bad(
        "tabs",
        corpus("tabs.yaml"),
        (
            f"{P}:3: not valid YAML: found character '\\t' that cannot start any token; YAML does "
            "not allow tabs for indentation: use spaces",
        ),
    ),
    Bad(
        "latin-1",
        raw(
            (
                "project:\n  title: Slimme verlichting\n  municipality: Gemeente Klein\npitch:\n"
                "  key_message: Minder stroom, even veilig.\n  hook: Het café blijft verlicht.\n"
            ).encode("latin-1")
        ),
        (
            f"{P}:6: the file is not UTF-8 text; save it as UTF-8 (in most editors: Save As, "
            "encoding UTF-8)",
        ),
    ),
    Bad(
        "empty",
        corpus("empty.yaml"),
        (f"{P}:1: the file is empty; it needs at least: project, pitch",),
    ),
    Bad(
        "list-not-mapping",
        corpus("list-not-mapping.yaml"),
        (
            f"{P}:1: the file is not a set of 'key: value' fields; it needs at least: project, "
            "pitch",
        ),
    ),
    Bad(
        "duplicate-keys",
        corpus("duplicate-keys.yaml"),
        (
            f"{P}:8: pitch: 'pitch' appears twice (first on line 4); merge the two blocks into "
            "one; the second would replace the first",
        ),
    ),
    Bad(
        "unknown-field",
        corpus("unknown-field.yaml"),
        (f"{P}:6: unknown field 'benifits'; did you mean 'benefits'?",),
    ),
    Bad(
        "missing-required",
        corpus("missing-required.yaml"),
        (
            f"{P}:1: project.municipality: required field is missing; add 'municipality:' here",
            f"{P}:3: pitch.key_message: required field is missing; add 'key_message:' here",
        ),
    ),
    Bad(
        "wrong-types",
        corpus("wrong-types.yaml"),
        (
            f"{P}:4: project.date: must be a date; write it as YYYY-MM-DD, e.g. 2027-03-11",
            f"{P}:8: costs.investment: must be a number; write digits only, e.g. 250000 (no "
            "currency sign or dots)",
            f"{P}:9: benefits: must be a list; write each item on its own line starting with '- '",
        ),
    ),
    Bad(
        "not-a-number",
        corpus("not-a-number.yaml"),
        (
            f"{P}:7: costs.investment: must be a number; write digits, e.g. 250000 (.nan and .inf "
            "are not numbers)",
            f"{P}:8: costs.savings_yearly: is too large (at most 1,000,000,000,000,000); check for "
            "a typing error",
            f"{P}:11: kpis[0].baseline: must be a number; write digits, e.g. 250000 (.nan and .inf "
            "are not numbers)",
        ),
    ),
    Bad(
        "impossible-date",
        corpus("impossible-date.yaml"),
        (
            f"{P}:4: project.date: '2027-02-30' is not a valid date; write a date as YYYY-MM-DD, "
            "e.g. 2027-03-11, or put text in quotes",
        ),
    ),
    Bad(
        "unknown-audience",
        corpus("unknown-audience.yaml"),
        (
            f"{P}:1: audiences[1]: unknown audience 'twijfelaars'; known audiences: supporters, "
            "doubters",
        ),
    ),
    Bad(
        "audience-listed-twice",
        corpus("audience-listed-twice.yaml"),
        (f"{P}:1: audiences[2]: audience 'supporters' is listed twice; list each audience once",),
    ),
    Bad(
        "unknown-stage",
        corpus("unknown-stage.yaml"),
        (f"{P}:1: stage: must be one of 'start', 'pilot', 'scale-up' or 'operation'",),
    ),
    Bad(
        "unknown-theme",
        corpus("unknown-theme.yaml"),
        (f"{P}:1: theme: unknown theme 'westerhaven'; known themes: default",),
    ),
    Bad(
        "billion-laughs",
        corpus("billion-laughs.yaml"),
        (
            f"{P}:6: e: the file expands to more than 100000 values; do not use YAML anchors and "
            "aliases (&name, *name) to repeat blocks",
        ),
    ),
    Bad(
        "yaml-tag",
        corpus("yaml-tag.yaml"),
        (
            f"{P}:2: project.title: the YAML tag '!!python/object/apply:os.system' is not "
            "allowed; remove the '!...' before the value; pitchkit reads plain text, numbers, "
            "dates, lists and 'key: value' blocks",
        ),
    ),
    Bad(
        "nesting-thousands-deep",
        project("project:\n  title: " + "[" * 5000 + "]" * 5000 + "\n"),
        (
            f"{P}:2: nested more than 50 levels deep; flatten the structure; pitchkit's content "
            "is never nested this deeply",
        ),
    ),
    Bad(
        "enormous-string",
        project(
            "project:\n  title: Slimme verlichting\n  municipality: Gemeente Klein\npitch:\n"
            f"  key_message: Kort.\n  hook: {'bla ' * 10_000}\n"
        ),
        (
            f"{P}:6: pitch.hook: text of 39999 characters is too long (at most 20000); shorten "
            "it; a slide or handout cannot show this much",
        ),
    ),
    Bad(
        "title-too-long",
        project(
            f"project:\n  title: {'Slimme verlichting ' * 12}\n  municipality: Gemeente Klein\n"
            "pitch:\n  key_message: Kort.\n"
        ),
        (
            f"{P}:2: project.title: is too long (227 characters, at most 200); shorten it to one "
            "line or sentence",
        ),
    ),
    # -- images ----------------------------------------------------------------------------------
    Bad(
        "image-missing",
        image("images/lantaarn.png"),
        (
            f"{P}:7: images[0].file: image 'images/lantaarn.png' not found in p/; check the file "
            "name and folder",
        ),
    ),
    Bad(
        "image-outside-folder",
        image("../../secret.png", lambda f: _save_photo(f.parent.parent / "secret.png")),
        (
            f"{P}:7: images[0].file: '../../secret.png' points outside the project folder; copy "
            "the image into it",
        ),
    ),
    Bad(
        "image-absolute-path",
        image("/etc/hostname"),
        (
            f"{P}:7: images[0].file: '/etc/hostname' is an absolute path; put the image in the "
            "project folder and write a path relative to it, e.g. images/photo.png",
        ),
    ),
    Bad(
        "image-windows-path",
        image("'C:\\Users\\lotte\\foto.png'"),
        (f"{P}:7: images[0].file: 'C:\\Users\\lotte\\foto.png' is an absolute path;",),
    ),
    Bad(
        "image-not-an-image",
        image("notes.png", lambda f: write(f / "notes.png", "Dit is tekst, geen plaatje.")),
        (
            f"{P}:7: images[0].file: 'notes.png' is not an image pitchkit can read; use PNG, "
            "JPEG or GIF (WebP, BMP and TIFF are converted)",
        ),
    ),
    Bad(
        "image-truncated",
        image("half.png", _truncated),
        (
            f"{P}:7: images[0].file: 'half.png' is damaged or incomplete (perhaps not fully "
            "copied); open it in an image editor and save it again as PNG or JPEG",
        ),
    ),
    Bad(
        "image-corrupt",
        image("broken.jpg", _corrupt),
        (f"{P}:7: images[0].file: 'broken.jpg' is damaged or incomplete (perhaps not fully ",),
    ),
    Bad(
        "image-decompression-bomb",
        image("bomb.png", _bomb),
        (
            f"{P}:7: images[0].file: 'bomb.png' is 30000x30000 pixels, too large (at most 40 "
            "megapixels); scale it down",
        ),
    ),
    Bad(
        "image-svg",
        image(
            "kaart.svg",
            lambda f: write(f / "kaart.svg", '<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ),
        (
            f"{P}:7: images[0].file: 'kaart.svg' is an SVG drawing, which Word and PowerPoint "
            "files cannot hold reliably; export it as PNG",
        ),
    ),
    Bad(
        "image-svg-named-png",
        image(
            "kaart.png",
            lambda f: write(f / "kaart.png", '<?xml version="1.0"?>\n<svg width="10"></svg>'),
        ),
        (f"{P}:7: images[0].file: 'kaart.png' is an SVG drawing,",),
    ),
    Bad(
        "image-pdf",
        image("kaart.png", lambda f: (f / "kaart.png").write_bytes(b"%PDF-1.7\n%...")),
        (f"{P}:7: images[0].file: 'kaart.png' is a PDF document; export the page you want as PNG",),
    ),
    # -- names that become file names ------------------------------------------------------------
    Bad(
        "audience-key-with-slash",
        both(_unsafe_audiences, project(BASE_PROJECT)),
        (
            "content/audiences.yaml:1: raad/commissie: the audience key 'raad/commissie' becomes "
            "part of file names and may only hold letters a-z, digits, '-' and '_' (at most 64, "
            "no spaces); rename it, e.g. to 'raad-commissie'; 'name:' holds the name people see",
        ),
    ),
    Bad(
        "audience-keys-differ-in-case",
        _case_clash_audiences,
        (
            "content/audiences.yaml:6: raad: the audience keys 'Raad' and 'raad' differ only in "
            "upper and lower case; on Windows and macOS their documents would overwrite each "
            "other; rename one of them",
        ),
    ),
    Bad(
        "project-folder-name",
        _unsafe_folder,
        (
            "content/Slimme verlichting!/project.yaml: the project folder name 'Slimme "
            "verlichting!' becomes part of file names and may only hold letters a-z, digits, '-' "
            "and '_' (at most 64, no spaces); rename the folder, e.g. to 'slimme-verlichting'",
        ),
    ),
    Bad(
        "project-folders-differ-in-case",
        _case_clash_folders,
        (
            "content/p/project.yaml: the project folders 'P' and 'p' differ only in upper and "
            "lower case; on Windows and macOS their documents would overwrite each other; "
            "rename one of them",
        ),
    ),
    # -- templates in the workspace --------------------------------------------------------------
    Bad(
        "template-syntax-error",
        template("deck/supporters.yaml.j2", "title: x\nslides:\n{% for s in sel.blocks %}\n"),
        (
            f"{SUPPORTERS}:3: template syntax error: Unexpected end of template. Jinja was "
            "looking for the following tags: 'endfor' or 'else'. The innermost block that needs "
            "to be closed is 'for'; fix the template, or remove it to use pitchkit's default",
        ),
    ),
    Bad(
        "template-undefined-name",
        _undefined_name,
        (
            f"{SUPPORTERS}:4: 'projct' is undefined; did you mean 'project'? a template can use: "
            "content, project, pitch, sel, audience, t, fmt, figures, money, images, smart_city, "
            "other_projects, objection_for, tips_for, loose_tips",
        ),
    ),
    Bad(
        "template-misspelt-field",
        template(
            "deck/blocks/message.yaml.j2",
            "  - kind: section\n    title: {{ project.titel }}\n",
        ),
        (
            "templates/deck/blocks/message.yaml.j2:2: 'ProjectInfo object' has no attribute "
            "'titel'; did you mean 'title'? its fields are: title, subtitle, municipality,",
        ),
    ),
    Bad(
        "template-sandbox-escape",
        template(
            "deck/supporters.yaml.j2",
            "title: x\n{{ cycler.__init__.__globals__.os.popen('id').read() }}\n",
        ),
        (
            f"{SUPPORTERS}:2: refused by the sandbox: access to attribute '__init__' of 'type' "
            "object is unsafe. Templates may only use the values pitchkit gives them, not Python "
            "internals; fix the template, or remove it to use pitchkit's default",
        ),
    ),
    Bad(
        "template-sandbox-mro",
        template("deck/supporters.yaml.j2", "title: {{ ''.__class__.__mro__[1] }}\n"),
        (f"{SUPPORTERS}:1: refused by the sandbox: access to attribute '__class__' of 'str'",),
    ),
    Bad(
        "template-output-size",
        template(
            "deck/supporters.yaml.j2",
            "{% for i in range(99999) %}{% for j in range(999) %}lorem ipsum {% endfor %}"
            "{% endfor %}",
        ),
        (
            f"{SUPPORTERS} produced more than 2000000 characters; look for a loop that runs "
            "over far too much; fix the template, or remove it to use pitchkit's default",
        ),
    ),
    Bad(
        "template-huge-value",
        template("deck/supporters.yaml.j2", "title: x\nauthor: {{ 'x' * 10 ** 9 }}\n"),
        (
            f"{SUPPORTERS}:2: refused: repeating a text or list would be larger than 2000000 "
            "characters; fix the template, or remove it to use pitchkit's default",
        ),
    ),
    Bad(
        "template-labels-not-utf8",
        lambda root: (
            (root / "templates" / "labels").mkdir(parents=True)
            or (root / "templates" / "labels" / "nl.yaml").write_bytes(
                "why_now: Waarom nú?\n".encode("latin-1")
            )
        ),
        (
            "templates/labels/nl.yaml:1: the file is not UTF-8 text; save it as UTF-8 (in most "
            "editors: Save As, encoding UTF-8)",
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_and_changes_nothing(previous: Path, copy: Path, case: Bad) -> None:
    before = snapshot(previous / "output")
    case.setup(copy)
    code, out = run_build(copy)
    assert code == 1, out
    for line in case.expected:
        assert line in out, f"expected:\n  {line}\ngot:\n{out}"
    assert "Traceback" not in out and "unexpected problem" not in out
    assert snapshot(copy / "output") == before


def test_a_decompression_bomb_is_never_decoded(
    copy: Path, previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageFile

    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    image("bomb.png", _bomb)(copy)
    assert (copy / "content" / "p" / "bomb.png").stat().st_size < 200_000
    code, out = run_build(copy)
    assert code == 1, out
    assert "'bomb.png' is 30000x30000 pixels, too large (at most 40 megapixels)" in out
    assert "unexpected" not in out


def test_every_corpus_file_is_used() -> None:
    assert {p.name for p in BAD.glob("*.yaml")} == CORPUS_USED


def test_template_time_is_bounded(
    copy: Path, previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.compose.templating

    monkeypatch.setattr(generator.compose.templating, "MAX_SECONDS", 0.5)
    before = snapshot(previous / "output")
    # Ten billion loop steps and no output: only a clock can stop it.
    template(
        "deck/supporters.yaml.j2",
        "title: x\n{% for i in range(99999) %}\n{% for j in range(99999) %}{% endfor %}\n"
        "{% endfor %}\n",
    )(copy)
    code, out = run_build(copy)
    assert code == 1, out
    assert f"{SUPPORTERS}:3: rendering took longer than 0.5 seconds; look for a loop" in out
    assert snapshot(copy / "output") == before


def test_malformed_source_date_epoch_is_refused(
    copy: Path, previous: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    code, out = run_build(copy)
    assert code == 1, out
    assert (
        "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 (got 'gisteren'); "
        "correct it, or unset it to use the project's date"
    ) in out
    assert snapshot(copy / "output") == snapshot(previous / "output")


def test_a_second_build_is_refused_while_one_writes(copy: Path, previous: Path) -> None:
    write(copy / "content" / "p" / "project.yaml", BASE_PROJECT.replace("Kort", "Anders"))
    with OutputLock(copy / "output"):
        code, out = run_build(copy)
    assert code == 1, out
    assert (
        f"another pitchkit build is writing to {copy / 'output'} right now; wait until it has "
        "finished, then build again (nothing was written by this one)"
    ) in out
    assert snapshot(copy / "output") == snapshot(previous / "output")
    code, out = run_build(copy)  # the lock is gone with the process holding it
    assert code == 0, out


def test_two_documents_for_one_file_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="two documents would be written to the same file"):
        check_targets(out, [out / "p" / "p-raad-pitch.pptx", out / "P" / "P-Raad-pitch.pptx"])
    with pytest.raises(BuildError, match="refusing to write outside the output folder"):
        check_targets(out, [out / "p" / ".." / ".." / "elsewhere.pptx"])
    check_targets(out, [out / "p" / "p-raad-pitch.pptx", out / "p" / "p-raad-handout.docx"])


# -- bad input that is repaired, with a warning -------------------------------------------------


def document_xml(path: Path) -> str:
    """Every XML part of an Office file, as text."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))
        )


def test_control_characters_are_removed_with_a_warning(copy: Path) -> None:
    text = (
        "project:\n"
        "  title: Slimme\x1b verlichting\n"  # raw ESC in the file (pasted from a terminal)
        "  municipality: Gemeente\x00 Klein\n"  # raw NUL
        "pitch:\n"
        '  key_message: "Minder\\x0bstroom, even\\x1b veilig\\ud800."\n'  # escapes, lone surrogate
    )
    write(copy / "content" / "p" / "project.yaml", text)
    code, out = run_build(copy)
    assert code == 0, out
    for line in (
        f"warning: {P}:2: project.title: removed invisible control characters (U+001B) that "
        "documents cannot hold; they usually come from pasting text from another program; check "
        "the text reads well",
        f"warning: {P}:3: project.municipality: removed invisible control characters (U+0000)",
        f"warning: {P}:5: pitch.key_message: removed invisible control characters (U+000B, "
        "U+001B, U+D800)",
    ):
        assert line in out, out
    built = copy / "output" / "p"
    for name in ("p-supporters-pitch.pptx", "p-doubters-handout.docx"):
        xml = document_xml(built / name)
        assert "_x00" not in xml and "_x001" not in xml.lower()
        assert not any(c in xml for c in "\x00\x0b\x1b")
        assert "Slimme verlichting" in xml and "Gemeente Klein" in xml
    handout = Document(str(built / "p-supporters-handout.docx"))
    assert "Minder stroom, even veilig." in "\n".join(p.text for p in handout.paragraphs)


def test_template_syntax_in_content_is_shown_literally(copy: Path) -> None:
    literal = "{{ project.title }} en {% for x in sel %}herhaal{% endfor %}"
    write(
        copy / "content" / "p" / "project.yaml",
        BASE_PROJECT.replace("Minder stroom, even veilig.", f"'{literal}'"),
    )
    code, out = run_build(copy)
    assert code == 0, out
    built = copy / "output" / "p"
    deck = Presentation(str(built / "p-doubters-pitch.pptx"))
    deck_text = "\n".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in [*slide.shapes, *slide.notes_slide.shapes]
        if shape.has_text_frame
    )
    assert literal in deck_text
    handout = Document(str(built / "p-doubters-handout.docx"))
    assert literal in "\n".join(p.text for p in handout.paragraphs)
    assert deck.core_properties.subject == literal


def test_webp_is_converted_and_the_deck_holds_a_png(copy: Path) -> None:
    folder = copy / "content" / "p"
    _save_photo(folder / "images" / "foto.webp", "WEBP")
    write(folder / "project.yaml", BASE_PROJECT.replace("foto.png", "foto.webp"))
    code, out = run_build(copy)
    assert code == 0, out
    with zipfile.ZipFile(copy / "output" / "p" / "p-supporters-pitch.pptx") as z:
        media = [n for n in z.namelist() if n.startswith("ppt/media/")]
        assert media and not any(n.endswith(".webp") for n in media)
        pictures = [z.read(n) for n in media if n.endswith(".png")]
    assert any(Image.open(io.BytesIO(p)).size == (320, 200) for p in pictures)
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in pictures)
