"""The `voronka` command: Django's manage.py with Voronka's settings.

`voronka serve`, `voronka worker`, `voronka demo`, `voronka token …`, `voronka setup apply …`
are management commands, so every other management command works the same way.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voronka.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        args = ["help"]
    execute_from_command_line(["voronka", *args])


if __name__ == "__main__":
    main()
