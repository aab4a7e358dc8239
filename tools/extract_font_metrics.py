"""Regenerate generator/theme/font_metrics.json.gz: the font metrics pitchkit measures text with.

Run once, with the fonts installed and fontTools available (``pip install '.[tools]'``):

    python tools/extract_font_metrics.py [FONT_DIR ...]   # default: /usr/share/fonts

Per face it keeps what :mod:`generator.theme.font_metrics` needs to measure a line as HarfBuzz lays
it out (as Pillow's raqm layout did, when pitchkit measured with the installed fonts): units per em,
the vertical metrics (hhea, OS/2 typo and win), the cmap, every glyph's advance width, the default
ligatures (GSUB ``liga``/``clig``/``rlig`` ligature substitutions) and the pair kerning of the
``kern`` feature (GPOS pair adjustments, per lookup and subtable as the font has them; the old
``kern`` table where a face has no GPOS kerning). Nothing else of the fonts (no outlines) is kept.
The fonts are Debian 12's fonts-crosextra-carlito, fonts-crosextra-caladea, fonts-liberation
(1.07.4: Liberation 2 has no Narrow and a wider middle dot than Arial's) and fonts-dejavu-core;
their licences (SIL OFL 1.1; GPL 2 with the font exception; Bitstream Vera) are recorded in
generator/theme/font_metrics.LICENSES.txt.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont

#: (family, bold, italic) -> file name of the face (as Debian's font packages install them).
FACES: dict[tuple[str, bool, bool], str] = {}
for _family, _stem, _styles in (
    ("Carlito", "Carlito", ("Regular", "Bold", "Italic", "BoldItalic")),
    ("Caladea", "Caladea", ("Regular", "Bold", "Italic", "BoldItalic")),
    ("Liberation Sans", "LiberationSans", ("Regular", "Bold", "Italic", "BoldItalic")),
    ("Liberation Serif", "LiberationSerif", ("Regular", "Bold", "Italic", "BoldItalic")),
    ("Liberation Mono", "LiberationMono", ("Regular", "Bold", "Italic", "BoldItalic")),
    ("Liberation Sans Narrow", "LiberationSansNarrow", ("Regular", "Bold", "Italic", "BoldItalic")),
    ("DejaVu Sans", "DejaVuSans", ("", "-Bold", "-Oblique", "-BoldOblique")),
    ("DejaVu Serif", "DejaVuSerif", ("", "-Bold", "-Italic", "-BoldItalic")),
):
    for (_bold, _italic), _style in zip(
        ((False, False), (True, False), (False, True), (True, True)), _styles, strict=True
    ):
        sep = "" if _family.startswith("DejaVu") else "-"
        FACES[(_family, _bold, _italic)] = f"{_stem}{sep}{_style}.ttf"

LIGATURE_FEATURES = ("rlig", "liga", "clig")


def _lookups(table: Any, tags: tuple[str, ...]) -> list[int]:
    """Lookup indices of the features ``tags`` for Latin text (script latn, else DFLT)."""
    if table is None or table.ScriptList is None:
        return []
    scripts = {s.ScriptTag: s.Script for s in table.ScriptList.ScriptRecord}
    script = scripts.get("latn") or scripts.get("DFLT") or next(iter(scripts.values()), None)
    if script is None or script.DefaultLangSys is None:
        return []
    records = table.FeatureList.FeatureRecord
    found: set[int] = set()
    for i in script.DefaultLangSys.FeatureIndex:
        if records[i].FeatureTag in tags:
            found.update(records[i].Feature.LookupListIndex)
    return sorted(found)


def _subtables(lookup: Any) -> list[Any]:
    tables = []
    for st in lookup.SubTable:
        if lookup.LookupType in (7, 9):  # extension lookups wrap the real subtable
            st = st.ExtSubTable
        tables.append(st)
    return tables


def _cmap_ranges(cmap: dict[int, int]) -> list[list[int]]:
    """[first codepoint, count, first glyph] runs of consecutive codepoints and glyph ids."""
    runs: list[list[int]] = []
    for cp in sorted(cmap):
        gid = cmap[cp]
        if runs and runs[-1][0] + runs[-1][1] == cp and runs[-1][2] + runs[-1][1] == gid:
            runs[-1][1] += 1
        else:
            runs.append([cp, 1, gid])
    return runs


def extract(path: Path) -> dict[str, Any]:
    """The metrics of one font file."""
    font = TTFont(path)
    order = font.getGlyphOrder()
    gid = {name: i for i, name in enumerate(order)}
    hmtx = font["hmtx"].metrics
    hhea, os2 = font["hhea"], font["OS/2"]
    face: dict[str, Any] = {
        "upem": font["head"].unitsPerEm,
        "hhea": [hhea.ascent, hhea.descent, hhea.lineGap],
        "typo": [os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap],
        "win": [os2.usWinAscent, os2.usWinDescent],
        "cmap": _cmap_ranges({cp: gid[name] for cp, name in font.getBestCmap().items()}),
        "advances": [hmtx[name][0] for name in order],
        # HarfBuzz zeroes the advance of mark glyphs (combining accents) in Latin text.
        "marks": sorted(
            gid[g]
            for g, c in (
                font["GDEF"].table.GlyphClassDef.classDefs.items()
                if "GDEF" in font and font["GDEF"].table.GlyphClassDef
                else ()
            )
            if c == 3
        ),
    }
    ligatures: dict[str, list[list[int]]] = {}
    gsub = font["GSUB"].table if "GSUB" in font else None
    for index in _lookups(gsub, LIGATURE_FEATURES):
        lookup = gsub.LookupList.Lookup[index]
        for st in _subtables(lookup):
            if getattr(st, "LookupType", None) != 4:
                continue
            for first, ligs in st.ligatures.items():
                for lig in ligs:
                    entry = [gid[lig.LigGlyph], *(gid[c] for c in lig.Component)]
                    ligatures.setdefault(str(gid[first]), []).append(entry)
    face["ligatures"] = ligatures
    kern: list[list[dict[str, Any]]] = []
    gpos = font["GPOS"].table if "GPOS" in font else None
    for index in _lookups(gpos, ("kern",)):
        subtables: list[dict[str, Any]] = []
        for st in _subtables(gpos.LookupList.Lookup[index]):
            if getattr(st, "LookupType", None) != 2:
                continue
            if st.Format == 1:
                pairs: dict[str, dict[str, int]] = {}
                for first, pair_set in zip(st.Coverage.glyphs, st.PairSet, strict=True):
                    row = {
                        str(gid[r.SecondGlyph]): getattr(r.Value1, "XAdvance", 0) or 0
                        for r in pair_set.PairValueRecord
                    }
                    pairs[str(gid[first])] = row
                subtables.append({"format": 1, "pairs": pairs})
            else:
                classes2 = st.ClassDef2.classDefs
                subtables.append(
                    {
                        "format": 2,
                        "coverage": sorted(gid[g] for g in st.Coverage.glyphs),
                        "class1": {str(gid[g]): c for g, c in st.ClassDef1.classDefs.items() if c},
                        "class2": {str(gid[g]): c for g, c in classes2.items() if c},
                        "values": [
                            [getattr(r.Value1, "XAdvance", 0) or 0 for r in rec.Class2Record]
                            for rec in st.Class1Record
                        ],
                    }
                )
        if subtables:
            kern.append(subtables)
    if not kern and "kern" in font:
        for table in font["kern"].kernTables:
            pairs = {}
            for (a, b), v in table.kernTable.items():
                pairs.setdefault(str(gid[a]), {})[str(gid[b])] = v
            kern.append([{"format": 1, "pairs": pairs}])
    face["kern"] = kern
    return face


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [Path("/usr/share/fonts")]
    files: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.ttf")):
            if path.parent.name != "liberation2":  # same file names; see the docstring
                files.setdefault(path.name, path)
    faces: dict[str, Any] = {}
    missing = []
    for (family, bold, italic), name in FACES.items():
        if name not in files:
            missing.append(name)
            continue
        key = f"{family}|{'bold' if bold else 'regular'}|{'italic' if italic else 'upright'}"
        faces[key] = extract(files[name])
        faces[key]["file"] = name
        faces[key]["version"] = version = str(TTFont(files[name])["name"].getDebugName(5))
        if family.startswith("Liberation") and not version.startswith("Version 1.07"):
            print(f"{files[name]}: {version}, not Liberation 1.07", file=sys.stderr)
            return 1
    if missing:
        print("missing font files: " + ", ".join(missing), file=sys.stderr)
        return 1
    out = Path(__file__).resolve().parents[1] / "generator" / "theme" / "font_metrics.json.gz"
    # Each face is a JSON string of its own: a process parses only the faces it measures with.
    packed = {
        key: json.dumps(face, separators=(",", ":"), sort_keys=True) for key, face in faces.items()
    }
    data = json.dumps({"format": 2, "faces": packed}, separators=(",", ":"), sort_keys=True)
    # mtime=0: the same fonts give the same bytes.
    out.write_bytes(gzip.compress(data.encode(), compresslevel=9, mtime=0))
    print(f"{out}: {len(faces)} faces, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
