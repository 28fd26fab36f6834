from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitingConfig(AppConfig):
    name = "siting"
    verbose_name = _("industry siting")

    def ready(self):
        from . import checks  # noqa: F401 (registers the profile check)
