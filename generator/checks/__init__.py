"""pitchkit check: accessibility, contrast, editorial rules."""
