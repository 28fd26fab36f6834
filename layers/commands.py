"""The base of the commands that act on one county: `--county CODE` and `--as USER`."""
from gisplan.commands import RefusingCommand

from .regions import acting_as
from .roles import VIEW_DATA


class CountyCommand(RefusingCommand):
    """A command that acts on one county: the one `--county CODE` names, by default the
    installation's main county. With `--as USER` it acts as that user (`acting_as`): a county
    outside their region is not found, and they must hold what the command needs (`needs`, or
    `permissions(options)` where that depends on the options), as on its page or API."""

    needs = (VIEW_DATA,)

    def add_county_arguments(self, parser):
        parser.add_argument("--county", metavar="CODE",
                            help="the county's 6-digit code (default: the installation's main "
                                 "county; with --as, the user's)")
        parser.add_argument("--as", dest="as_user", metavar="USER",
                            help="act as this user: a county outside their region is not found, "
                                 "and what their role may not do is refused")

    def permissions(self, options):
        """What a user the command acts as must hold for these `options`."""
        return self.needs

    def prepare(self, options):
        """With --as, the user (options["user"]) and the county, checked."""
        if options.get("as_user"):
            options["user"], county = acting_as(options["as_user"], options.get("county"),
                                                self.permissions(options))
            options["county"] = county.adcode
