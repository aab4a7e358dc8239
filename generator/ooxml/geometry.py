"""Lengths in OOXML's unit, the EMU (English Metric Unit), with the names DrawingML gives them."""

EMU_PER_INCH = 914400
EMU_PER_PT = 12700
"""A point is 1/72 inch."""
INSET_X = 91440
"""DrawingML's default left and right inset of a text box (0.1 inch)."""
INSET_Y = 45720
"""DrawingML's default top and bottom inset of a text box (0.05 inch)."""
