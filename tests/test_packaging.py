"""A non-editable install, used from another folder, on a workspace the project has never seen."""

from __future__ import annotations

import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation

from tests.conftest import write

REPO = Path(__file__).resolve().parent.parent

AUDIENCES = """\
supporters:
  name: Voorstanders
  focus: main-lines
  drivers: [results]
  stages:
    start: {goal: Enthousiasmeren op hoofdlijnen., tools: [project-pitch]}
doubters:
  name: Twijfelaars
  focus: added-value
  drivers: [money, policy]
  stages:
    start: {goal: Meerwaarde tonen., tools: [project-pitch, values-balance, thinking-hats]}
wethouder-de-vries:
  name: Wethouder De Vries (Financiën)
  who: Portefeuillehouder financiën
  drivers: [money, privacy]
  stages:
    pilot: {goal: Laten zien dat het binnen budget blijft., tools: [project-pitch, values-balance]}
"""

DRUKTE = """\
stage: pilot
project:
  title: Drukte meten in de binnenstad
  municipality: Gemeente Havenstad
  date: 2027-05-20
pitch:
  key_message: Met anonieme tellingen spreiden we bezoekers en houden we de binnenstad veilig.
  ask: Steun voor een pilot van een jaar.
benefits:
  - {title: Veiliger, text: Minder drukte op piekmomenten., themes: [safety]}
  - {title: Goedkoper, text: Minder inzet van handhaving., themes: [money]}
costs: {investment: 1250000.5, yearly: 20000, savings_yearly: 90000}
privacy: {personal_data: false, dpia: done, notes: Tellingen zonder beelden.}
values:
  gains: [{value: Veiligheid, how: Spreiding}]
  tensions: [{value: Privacy, how_addressed: Geen camera's}]
risks: [{risk: Sensoren vallen uit, mitigation: Onderhoudscontract}]
"""

PARKING = """\
language: en
stage: start
audiences: [supporters, doubters]
project:
  title: Parking sensors
  municipality: Municipality of Havenstad
  date: 2027-03-11
pitch:
  key_message: Sensors show free parking spaces, so fewer cars circle the centre.
costs: {investment: 486000, savings_yearly: 120000}
policy: {programmes: [Mobility programme 2030]}
"""


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=600
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv (seeing the running environment's dependencies) with pitchkit installed from a
    wheel, which carries the templates, the example and the font metrics."""
    root = tmp_path_factory.mktemp("pkg")
    wheel_dir = root / "wheels"
    done = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheel_dir, REPO, cwd=root
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = wheel_dir.glob("pitchkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "generator/_defaults/templates/deck/base.yaml.j2" in names
    assert "generator/_defaults/templates/themes/default/deck.pptx" in names
    assert "generator/_defaults/content/slimme-verlichting/images/impressie.png" in names
    assert "generator/theme/font_metrics.json.gz" in names
    assert "generator/theme/font_metrics.LICENSES.txt" in names
    venv = root / "venv"
    done = _run(sys.executable, "-m", "venv", venv, cwd=root)
    assert done.returncode == 0, done.stderr
    pip = venv / "bin" / "pip"
    done = _run(pip, "install", "-q", "--no-deps", wheel, cwd=root)
    assert done.returncode == 0, done.stderr
    # Then the venv sees the dependencies of the environment running the tests (a venv, CI's, a
    # bare python's user site), not the base interpreter's: its site-packages, after the venv's
    # own, by plain path lines (their .pth files, such as an editable pitchkit's, stay unread;
    # added after the install, or pip would take the running environment's pitchkit for this one).
    python = venv / "bin" / "python"
    done = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root)
    assert done.returncode == 0, done.stderr
    here = [
        *site.getsitepackages(),
        *([site.getusersitepackages()] if site.ENABLE_USER_SITE else []),
    ]
    Path(done.stdout.strip(), "running-environment.pth").write_text(
        "".join(f"{p}\n" for p in dict.fromkeys(here) if Path(p).is_dir())
    )
    done = _run(python, "-c", "import generator, rich; print(generator.__file__)", cwd=root)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(venv)  # the wheel's, not the repository's
    return venv / "bin" / "pitchkit"


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout differs on Windows")
def test_init_and_build_from_another_folder(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "init", "mywork", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = _run(installed, "build", "--jobs", "1", cwd=tmp_path / "mywork")
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "mywork" / "output").rglob("*-pitch.pptx"))) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout differs on Windows")
def test_an_unseen_workspace(installed: Path, tmp_path: Path) -> None:
    content = tmp_path / "havenstad" / "content"
    write(content / "audiences.yaml", AUDIENCES)
    write(content / "drukte-meten" / "project.yaml", DRUKTE)
    write(content / "parking" / "project.yaml", PARKING)
    done = _run(installed, "build", "--jobs", "2", cwd=tmp_path / "havenstad")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "havenstad" / "output"
    decks = sorted(p.name for p in out.rglob("*-pitch.pptx"))
    assert decks == [
        "drukte-meten-doubters-pitch.pptx",
        "drukte-meten-supporters-pitch.pptx",
        "drukte-meten-wethouder-de-vries-pitch.pptx",
        "parking-doubters-pitch.pptx",
        "parking-supporters-pitch.pptx",
    ]

    def texts(path: Path) -> list[str]:
        prs = Presentation(str(path))
        return [sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame]

    base = out / "drukte-meten"
    supporters = texts(base / "drukte-meten-supporters-pitch.pptx")
    alderman = texts(base / "drukte-meten-wethouder-de-vries-pitch.pptx")
    assert supporters != alderman
    assert "Kosten en dekking" in alderman and "Kosten en dekking" not in supporters
    # The alderman's first driver is money: the costs come right after the benefits.
    assert alderman.index("Kosten en dekking") < alderman.index("Waardenweegschaal")
    tables = [
        c.text
        for s in Presentation(str(base / "drukte-meten-wethouder-de-vries-pitch.pptx")).slides
        for sh in s.shapes
        if sh.has_table
        for r in sh.table.rows
        for c in r.cells
    ]
    assert "€\xa01.250.000,50" in tables
    english = Presentation(str(out / "parking" / "parking-doubters-pitch.pptx"))
    assert english.core_properties.language == "en-GB"
    body = english.slides[0]._element.xml
    assert 'lang="en-GB"' in body and 'lang="nl-NL"' not in body
    # Every XML part of every document parses (the schema check runs in CI over the example).
    from lxml import etree

    for document in out.rglob("*.*x"):
        with zipfile.ZipFile(document) as z:
            for name in z.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    etree.fromstring(z.read(name))


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout differs on Windows")
def test_bad_content_from_the_installed_command(installed: Path, tmp_path: Path) -> None:
    write(tmp_path / "content" / "p" / "project.yaml", DRUKTE.replace("benefits:", "benifits:"))
    done = _run(installed, "build", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "content/p/project.yaml:9: unknown field 'benifits'; did you mean 'benefits'?"
        in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "output").exists()
