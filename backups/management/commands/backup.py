from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from backups.archive import BackupOptions, Database, backup
from gisplan.commands import RefusingCommand


class Command(RefusingCommand):
    help = ("Back up the database (pg_dump) and the rasters it refers to into one dated archive "
            "in GISPLAN_BACKUP_DIR.")

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None,
                            help="the folder to write into (default: GISPLAN_BACKUP_DIR)")

    def handle(self, *args, out=None, **options):
        try:
            result = backup(BackupOptions(out or settings.BACKUP_DIR,
                                          Database.from_settings(connection.settings_dict),
                                          settings.DATA_DIR, settings.BACKUP_KEY))
        except OSError as error:
            raise CommandError(str(error)) from None
        for path in result.manifest["missing"]:
            self.stderr.write(_("Not in the backup, the file is missing: %(path)s")
                              % {"path": path})
        self.stdout.write(_("Backup written to %(path)s (%(size)s)")
                          % {"path": result.path, "size": filesizeformat(result.size)})
