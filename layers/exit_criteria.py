"""Words for the criteria of the exit modules (analysis.exit), taken from the Village fields
they read, so that every label is translated once."""
from django.utils.translation import gettext_lazy as _

from .models import Village

def criterion_label(criterion):
    if criterion.column == "incidence":
        return _("poverty incidence below %(limit)s") % {"limit": f"{criterion.threshold:.0%}"}
    name = Village._meta.get_field(criterion.column).verbose_name
    if criterion.test == "at_least":
        return f"{name} ≥ {criterion.threshold:g}"
    return name
