"""System checks: the exit rules load and read only columns the villages have, and the three
goals' file reads, so that a broken file stops `manage.py check` and the server, not an
assessment, the goals page or the portal."""
from django.conf import settings
from django.core.checks import Error, register
from django.db import models

from analysis.exit import RulesError, load_rules
from gisplan.api import Refusal
from layers.models import ServiceCenter, Village

from .goals import goal_targets


@register()
def exit_rules_file(app_configs, **kwargs):
    try:
        rules = load_rules(settings.EXIT_RULES)
    except RulesError as problem:
        return [Error(str(problem), id="assessment.E001")]
    columns = {f.name for f in Village._meta.get_fields()
               if isinstance(f, (models.BooleanField, models.IntegerField))} | {"incidence"}
    unknown = [kind for kind in rules.clinic_kinds if kind not in ServiceCenter.Kind.values]
    kinds = [Error(f"{settings.EXIT_RULES.name}: map_checks.clinic_kinds: {', '.join(unknown)} "
                   f"is not a kind of service center ({', '.join(ServiceCenter.Kind.values)})",
                   id="assessment.E004")] if unknown else []
    return kinds + [Error(f"{settings.EXIT_RULES.name}: module {module.name}: criterion {c.key} reads "
                  f"{column}, which is not a number or yes/no figure of a village",
                  id="assessment.E002")
            for module in rules.modules.values() for c in module.criteria
            for column in c.columns if column not in columns]


@register()
def goals_file(app_configs, **kwargs):
    """The three goals' file (settings.GOALS) reads: a broken one stops the server, not the
    goals page."""
    try:
        goal_targets()
    except Refusal as problem:
        return [Error(str(problem), id="assessment.E003")]
    return []
