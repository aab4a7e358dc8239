"""Give the layouts of a LibreOffice-exported deck the names Dutch PowerPoint uses.

python rename_layouts.py source.pptx deck.pptx
"""

import re
import sys
import zipfile

DUTCH = {
    "Blank Slide": "Leeg",
    "Title Slide": "Titeldia",
    "Title, Content": "Titel en object",
    "Title, 2 Content": "Twee objecten",
    "Title Only": "Alleen titel",
    "Centered Text": "Gecentreerde tekst",
    "Title, 2 Content and Content": "Titel, twee objecten en object",
    "Title Content and 2 Content": "Titel, object en twee objecten",
    "Title, 2 Content over Content": "Titel, twee objecten boven object",
    "Title, Content over Content": "Titel, object boven object",
    "Title, 4 Content": "Titel en vier objecten",
    "Title, 6 Content": "Titel en zes objecten",
}

source, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename.startswith("ppt/slideLayouts/slideLayout"):
            text = data.decode("utf-8")
            text = re.sub(
                r'<p:cSld name="([^"]*)"',
                lambda m: f'<p:cSld name="{DUTCH.get(m.group(1), m.group(1))}"',
                text,
            )
            data = text.encode("utf-8")
        zout.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data)
