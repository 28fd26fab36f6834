from django import forms
from django.utils.translation import gettext_lazy as _

from gisplan.api import Refusal

from .models import DEFAULT_DAYS, MAX_DAYS


class NewTokenForm(forms.Form):
    """What a user says of a new token: the profile page's form, and the command's options."""

    name = forms.CharField(label=_("name"), max_length=100,
                           help_text=_("what the token is for, as 'QGIS in the office'"))
    expires = forms.IntegerField(label=_("expires after (days)"), min_value=0, max_value=MAX_DAYS,
                                 required=False, initial=DEFAULT_DAYS, help_text=_("0: never"))

    def days(self):
        """Days until the token expires; None: never."""
        days = self.cleaned_data["expires"]
        return DEFAULT_DAYS if days is None else days or None

    def checked(self):
        """The form, refused with its first error unless it is valid."""
        if not self.is_valid():
            field, errors = next(iter(self.errors.items()))
            raise Refusal(f"{self.fields[field].label}: {errors[0]}")
        return self
