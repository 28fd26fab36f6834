"""A system check: the exit rules load and read only columns the villages have, so that a broken
rules file stops `manage.py check` and the server, not an assessment or the portal."""
from django.conf import settings
from django.core.checks import Error, register
from django.db import models

from analysis.exit import RulesError, load_rules
from layers.models import Village


@register()
def exit_rules_file(app_configs, **kwargs):
    try:
        rules = load_rules(settings.EXIT_RULES)
    except RulesError as problem:
        return [Error(str(problem), id="assessment.E001")]
    columns = {f.name for f in Village._meta.get_fields()
               if isinstance(f, (models.BooleanField, models.IntegerField))} | {"incidence"}
    return [Error(f"{settings.EXIT_RULES.name}: module {module.name}: criterion {c.key} reads "
                  f"{c.column}, which is not a number or yes/no figure of a village",
                  id="assessment.E002")
            for module in rules.modules.values() for c in module.criteria
            if c.column not in columns]
