"""The county's exit rules (analysis.exit, from GISPLAN_EXIT_RULES), the words for their
criteria, taken from the Village fields they read, so that every label is translated once, and
the villages the rules are applied to."""
from functools import cache

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.exit import load_rules

from .models import Village


@cache
def _rules(path):
    return load_rules(path)


def exit_rules():
    """The rules in force: the modules and the map checks (analysis.exit.Rules)."""
    return _rules(str(settings.EXIT_RULES))


# The villages the rules are applied to (Village.objects.filter(EXIT_ASSESSED)): every
# villagers' committee, and a residents' committee (社区) only when it is recorded as poor (or
# as exited). (A VillageQuerySet method, once layers/models.py is free to change.)
EXIT_ASSESSED = ~Q(kind=Village.Kind.COMMUNITY, exit_status=Village.ExitStatus.NON_POOR)

MODULE_LABELS = {"standard": gettext_lazy("standard module (一率五通五有)"),
                 "demonstration": gettext_lazy("demonstration module (一率两强五通八有)")}


def module_label(name):
    return str(MODULE_LABELS.get(name, name))


def criterion_label(criterion):
    if criterion.column == "incidence":
        return gettext_lazy("poverty incidence below %(limit)s") % {
            "limit": f"{criterion.threshold:.0%}"}
    name = Village._meta.get_field(criterion.column).verbose_name
    if criterion.test == "at_least":
        return f"{name} ≥ {criterion.threshold:g}"
    if criterion.test == "below":
        return f"{name} < {criterion.threshold:g}"
    return name


def failure_reason(criterion, value):
    """Why `value` fails `criterion`, in words: 'poverty incidence 3.0%, not below 3%'."""
    if criterion.column == "incidence":
        if value != value:  # NaN: no registered population
            return _("poverty incidence unknown: no registered population")
        return _("poverty incidence %(value)s, not below %(limit)s") % {
            "value": f"{value:.2%}", "limit": f"{criterion.threshold:.0%}"}
    name = Village._meta.get_field(criterion.column).verbose_name
    if criterion.test == "at_least":
        return _("%(name)s: %(value)g, fewer than %(least)g") % {
            "name": name, "value": value, "least": criterion.threshold}
    if criterion.test == "below":
        return _("%(name)s: %(value)g, not below %(limit)g") % {
            "name": name, "value": value, "limit": criterion.threshold}
    return _("%(name)s: no") % {"name": name}
