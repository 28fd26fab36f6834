from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from gisplan.api import Refusal
from gisplan.commands import RefusingCommand
from tokens.forms import NewTokenForm
from tokens.models import ApiToken


class Command(RefusingCommand):
    help = ("Make a personal API token for USER and print it (it is shown only this once): "
            "send it as 'Authorization: Bearer <token>' to /api/ and /ogc/, or as the password "
            "of HTTP Basic to /ogc/.")

    def add_arguments(self, parser):
        parser.add_argument("user", help="the user name the token acts as")
        parser.add_argument("--name", default="command line",
                            help="what the token is for (shown in the user's list of tokens)")
        parser.add_argument("--expires", default="", metavar="DAYS",
                            help="days until it expires (default 90; 0: never)")

    def handle(self, *args, user, name, expires, **options):
        holder = get_user_model().objects.filter(username=user, is_active=True).first()
        if holder is None:
            raise Refusal(_("no active user %(user)s") % {"user": user})
        form = NewTokenForm({"name": name, "expires": expires}).checked()
        _token, secret = ApiToken.objects.issue(holder, form.cleaned_data["name"], form.days())
        self.stdout.write(secret)
