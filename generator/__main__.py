"""``python -m generator``: the same as the ``pitchkit`` command."""

from generator.app.cli import main

main()
