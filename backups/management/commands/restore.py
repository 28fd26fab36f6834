from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils.translation import gettext as _

from backups.archive import Database, RestoreOptions, restore
from gisplan.commands import RefusingCommand


class Command(RefusingCommand):
    help = ("Restore a backup made by `manage.py backup`: the database and the rasters (into "
            "GISPLAN_DATA_DIR), then check them against the backup's manifest.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup (.tar) to restore")
        parser.add_argument("--database-url", default=None,
                            help="the database to restore into (default: the configured one)")
        parser.add_argument("--yes", action="store_true",
                            help="replace everything in a database that has tables, and "
                                 "rasters that differ")

    def handle(self, *args, path, database_url=None, yes=False, **options):
        try:
            database = (Database.from_url(database_url) if database_url
                        else Database.from_settings(connection.settings_dict))
            result = restore(RestoreOptions(path, database, settings.DATA_DIR, overwrite=yes,
                                            key=settings.BACKUP_KEY))
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Restored %(path)s into %(database)s: %(tables)d tables, %(rows)d "
                            "rows and %(files)d files, all matching the backup's manifest")
                          % {"path": path, "database": result.database, "tables": result.tables,
                             "rows": result.rows, "files": result.files})
        for note in result.notes:
            self.stdout.write(note)
