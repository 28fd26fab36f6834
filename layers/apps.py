from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Spatial layers")

    def ready(self):
        from . import checks  # noqa: F401  registers the storage CRS check
