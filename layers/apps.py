from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = _("Spatial layers")

    def ready(self):
        from . import checks  # noqa: F401  registers the storage CRS check

        post_migrate.connect(sync_roles_after_migrate, sender=self)


def sync_roles_after_migrate(**kwargs):
    from django.contrib.auth.models import Group, Permission

    from .roles import sync_roles

    sync_roles(Group, Permission)
