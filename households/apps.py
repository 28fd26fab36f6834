from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("poor households")

    def ready(self):
        from layers.apps import sync_roles_after_migrate

        # The roles (layers/roles.py) name this app's permissions, which exist only once its
        # own post_migrate has made them: bring the roles up to date then too.
        post_migrate.connect(sync_roles_after_migrate, sender=self)
