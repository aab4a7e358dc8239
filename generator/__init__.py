"""pitchkit: a pitch deck (.pptx) and a one-page handout (.docx, PDF) per audience group.

The flow, one module per step: :mod:`~generator.loader` (content -> model) ->
:mod:`~generator.selection` (per-audience selection) -> :mod:`~generator.render` (templates ->
document tree) -> :mod:`~generator.pptx_builder` / :mod:`~generator.docx_builder` (tree -> file)
-> :mod:`~generator.pdf` (PDF export). :func:`~generator.build.build` runs them in order.
"""

__version__ = "0.1.0"
