#!/usr/bin/env python
"""Django's command-line utility for gisplan, with a preflight check of the database."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from gisplan.preflight import database_problem, needs_database

    try:
        if needs_database(sys.argv):
            problem = database_problem(settings.DATABASES["default"])
            if problem:
                sys.exit(f"gisplan: {problem}")
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"gisplan: configuration error: {error}")


if __name__ == "__main__":
    main()
