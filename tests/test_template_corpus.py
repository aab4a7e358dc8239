"""Every project and audience of the example workspace (and of the news workspace, where present)
built on each real PowerPoint template of tests/data/templates/pptx as the theme's deck.

Each deck: no shape over the template's artwork (check's deck_artwork), no text of the
template's example slides, the schemas and Office's repair rules (../shared/tools, where
present). The example workspace's decks have no more slides than on the default theme on every
template at least as high as PowerPoint's 19.05 cm (smaller slides, like Google Slides' 14.29 cm,
hold less at the same smallest type sizes; so do 4:3 slides for the news workspace's longer
texts). Its doubters' decks, the longest with every drawn block (tables, charts, timeline, hats,
balance), are rendered by LibreOffice in one run: no text line leaves the slide, its own box or
overlaps another (tests/deck_check.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pptx import Presentation

from generator.checks.artwork import deck_artwork
from generator.deck.layouts import open_template
from generator.export.pdf import find_soffice
from tests.conftest import ooxml_errors
from tests.deck_check import layout_problems, render_pdfs
from tests.test_deck_render import Built, decks_of

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "templates" / "pptx"
TEMPLATES = sorted(CORPUS.glob("*.p*x"))
WORKSPACES = {"example": ROOT / "content", "news": ROOT / "tests" / "data" / "workspaces" / "news"}


def workspace_on(tmp: Path, name: str, content: Path, theme: Path | None) -> Path:
    root = tmp / name
    shutil.copytree(content if content.name == "content" else content / "content", root / "content")
    if theme is not None:
        for project in (root / "content").glob("*/project.yaml"):
            text = project.read_text(encoding="utf-8")
            if "theme:" in text:
                lines = [
                    f"theme: {theme}" if line.startswith("theme:") else line
                    for line in text.splitlines()
                ]
                text = "\n".join(lines) + "\n"
            else:
                text = f"theme: {theme}\n{text}"
            project.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Built]]:
    """Per template (and "default"), every deck of every workspace."""
    tmp = tmp_path_factory.mktemp("corpus")
    out = tmp / "out"
    out.mkdir()
    decks: dict[str, list[Built]] = {}
    for key, content in WORKSPACES.items():
        if not content.exists():
            continue
        for template in [None, *TEMPLATES]:
            name = "default" if template is None else template.stem
            root = workspace_on(tmp, f"{key}-{name}", content, template)
            decks.setdefault(name, []).extend(decks_of(root, out, f"{name}--{key}"))
    return decks


def slides(built: Built) -> int:
    return len(Presentation(str(built.path)).slides)


def test_the_corpus_has_the_template_kinds_it_should() -> None:
    assert len(TEMPLATES) >= 8
    assert any(p.suffix == ".potx" for p in TEMPLATES)
    sizes = [open_template(p) for p in TEMPLATES]
    ratios = {round(prs.slide_width / prs.slide_height, 2) for prs in sizes}
    assert {1.33, 1.78} <= ratios


def test_no_deck_has_more_slides_than_on_the_default_theme(corpus: dict[str, list[Built]]) -> None:
    default = {b.name.split("--", 1)[1]: slides(b) for b in corpus["default"]}
    assert len(default) >= 4
    sizes = {p.stem: open_template(p) for p in TEMPLATES}
    high = {name for name, prs in sizes.items() if prs.slide_height >= 6858000}
    # 16:9 at any size: a smaller slide (a Google Slides export is 5.63 inches high) has its
    # type floors in proportion, so every deck of both workspaces keeps the default's count.
    # A 4:3 slide is as high as the default but narrower: the long news project's story and
    # figures need more room there (see the README), so only the example is held to it.
    wide = {name for name, prs in sizes.items() if prs.slide_width / prs.slide_height > 1.7}
    assert len(high) >= 6 and "google-slides-export" in wide - high
    over = {
        b.name: (slides(b), default[b.name.split("--", 1)[1]])
        for name, built in corpus.items()
        if name in high | wide
        for b in built
        if (name in wide or b.name.split("--", 1)[1].startswith("example-"))
        and slides(b) > default[b.name.split("--", 1)[1]]
    }
    assert not over


def test_no_shape_covers_the_templates_artwork(corpus: dict[str, list[Built]]) -> None:
    covered = {
        b.name: [f"{i.where}: {i.message}" for i in issues]
        for built in corpus.values()
        for b in built
        if (issues := deck_artwork(b.path.read_bytes()))
    }
    assert not covered


def test_no_example_slide_or_its_text_reaches_a_deck(corpus: dict[str, list[Built]]) -> None:
    for template in TEMPLATES:
        own = open_template(template)
        texts = {
            shape.text_frame.text.strip()
            for slide in own.slides
            for shape in slide.shapes
            if shape.has_text_frame and len(shape.text_frame.text.strip()) > 12
        }
        for b in corpus[template.stem]:
            deck = Presentation(str(b.path))
            found = {
                shape.text_frame.text.strip()
                for slide in deck.slides
                for shape in slide.shapes
                if shape.has_text_frame
            }
            assert not texts & found, (b.name, texts & found)


def test_every_deck_passes_the_schemas_and_offices_repair_rules(
    corpus: dict[str, list[Built]], shared_tools: Path
) -> None:
    paths = [b.path for name, built in corpus.items() if name != "default" for b in built]
    assert ooxml_errors(shared_tools, paths)[:20] == []


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_no_text_leaves_its_box_on_any_template(
    corpus: dict[str, list[Built]], tmp_path: Path
) -> None:
    doubters = [
        b
        for name, built in corpus.items()
        if name != "default"
        for b in built
        if b.audience == "doubters" and b.name.split("--", 1)[1].startswith("example-")
    ]
    assert len(doubters) >= 2 * len(TEMPLATES)
    pdfs = render_pdfs([b.path for b in doubters], tmp_path / "pdf")
    problems = {b.name: found for b in doubters if (found := layout_problems(b.path, pdfs[b.path]))}
    assert not problems


def test_a_template_in_calibri_light_warns_once_with_the_substitute(tmp_path: Path) -> None:
    """Mecanon's headings are Calibri Light: the build says it measures them as DejaVu Sans."""
    from generator.pipeline.build import font_warnings
    from generator.theme.themes import resolve_theme

    theme_dir = tmp_path / "templates" / "themes" / "m"
    theme_dir.mkdir(parents=True)
    shutil.copy(ROOT / "tests/data/templates/pptx/mecanon-ufrj.potx", theme_dir / "deck.potx")
    theme = resolve_theme("m", None, tmp_path)
    messages = [p.message for p in font_warnings(theme)]
    assert any("'Calibri Light'" in m and "DejaVu Sans" in m for m in messages), messages
