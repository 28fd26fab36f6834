from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitingConfig(AppConfig):
    name = "siting"
    verbose_name = _("industry siting")

    def ready(self):
        from layers.rasters import raster_replaced

        from . import checks  # noqa: F401 (registers the profile check)
        from .criteria import derive_after_import
        raster_replaced.connect(derive_after_import, dispatch_uid="siting.derive_after_import")
