"""pitchkit: a pitch deck (.pptx) and a one-page handout (.docx, PDF) per audience group.

The flow, one module per step: :mod:`~generator.content.loader` (content -> model) ->
:mod:`~generator.compose.selection` (per-audience selection) -> :mod:`~generator.compose.render`
(templates -> document tree) -> :mod:`~generator.deck.builder` / :mod:`~generator.handout.builder`
(tree -> file) -> :mod:`~generator.export.pdf` (PDF export). :func:`~generator.pipeline.build.build`
runs them in order.
"""

__version__ = "0.1.0"
