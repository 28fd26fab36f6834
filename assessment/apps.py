from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("village exit assessment")

    def ready(self):
        from . import checks  # noqa: F401 (registers the rules check)
