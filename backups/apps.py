from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """Backups of the database and the rasters (backups/archive.py), and their restore."""

    name = "backups"
    verbose_name = _("backups")
