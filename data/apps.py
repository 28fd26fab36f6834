from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataConfig(AppConfig):
    """The sample county: its generator (data/sample) and its loader (data/load.py)."""

    name = "data"
    verbose_name = _("sample county")
