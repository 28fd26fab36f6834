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
    """A criterion in words: its tests joined by "or", marked where the county set the
    threshold."""
    label = _(" or ").join(str(_test_label(t)) for t in criterion.tests)
    return _("%(criterion)s (the county's choice)") % {"criterion": label} \
        if criterion.county_choice else label


def _test_label(test):
    if test.column == "incidence":
        return gettext_lazy("poverty incidence below %(limit)s") % {
            "limit": f"{test.threshold:.0%}"}
    name = Village._meta.get_field(test.column).verbose_name
    if test.test == "at_least":
        return f"{name} ≥ {test.threshold:g}"
    if test.test == "below":
        return f"{name} < {test.threshold:g}"
    return name


def failure_reason(criterion, values):
    """Why a village whose columns hold `values` (one per test of `criterion`) fails it, in
    words: 'poverty incidence 3.0%, not below 3%'; every test of an "or", joined."""
    return _("; and ").join(_test_failure(t, v) for t, v in zip(criterion.tests, values))


def _test_failure(test, value):
    if test.column == "incidence":
        if value != value:  # NaN: no registered population
            return _("poverty incidence unknown: no registered population")
        return _("poverty incidence %(value)s, not below %(limit)s") % {
            "value": f"{value:.2%}", "limit": f"{test.threshold:.0%}"}
    name = Village._meta.get_field(test.column).verbose_name
    if test.test == "at_least":
        return _("%(name)s: %(value)g, fewer than %(least)g") % {
            "name": name, "value": value, "least": test.threshold}
    if test.test == "below":
        return _("%(name)s: %(value)g, not below %(limit)g") % {
            "name": name, "value": value, "limit": test.threshold}
    return _("%(name)s: no") % {"name": name}
