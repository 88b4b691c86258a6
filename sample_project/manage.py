#!/usr/bin/env python
"""The sample project's manage.py: ``python sample_project/manage.py runserver``."""

import os
import sys
from pathlib import Path


def main() -> None:
    # The project is the package ``sample_project`` (so tests can import it):
    # put the directory above it on the path, wherever this is run from.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
