"""From the model to the document tree: per-audience selection, templates, formats."""
