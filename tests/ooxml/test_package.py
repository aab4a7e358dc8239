"""OOXML packages saved with fixed times: the same input gives the same bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from generator.ooxml.package import normalize_zip, package_bytes


def test_package_bytes_is_the_library_save_with_fixed_times() -> None:
    """One pass gives the bytes of the library's own save normalised afterwards (a chart's
    embedded workbook included), and no clock time is left in them."""
    import docx
    import pptx
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    when = dt.datetime(2027, 3, 11, 9, 0)
    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    data = CategoryChartData()
    data.categories = ["2026", "2027"]
    data.add_series("kWh", (1.0, 2.0))
    slide.shapes.add_chart(XL_CHART_TYPE.LINE, Inches(1), Inches(1), Inches(4), Inches(3), data)
    prs.core_properties.created = when
    document = docx.Document()
    document.add_paragraph("Slimme verlichting")
    document.core_properties.created = when
    for package in (prs.part.package, document.part.package):
        saved = io.BytesIO()
        package.save(saved)
        once = package_bytes(package, when)
        assert once == normalize_zip(saved.getvalue(), when)
        infos = zipfile.ZipFile(io.BytesIO(once)).infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
