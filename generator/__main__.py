"""``python -m generator``: the same as the ``pitchkit`` command."""

from .cli import main

main()
