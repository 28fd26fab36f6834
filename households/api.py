"""/api/households/: the register's counts by village (GET, for everyone who sees the county's
data: no person in it), and the import of a register (POST import/, for those who keep it)."""
import tempfile

from django.utils.translation import gettext_lazy

from gisplan.api import answer, endpoint, flag
from layers.forms import sent_file
from layers.models import Village
from layers.regions import county_of

from .importing import import_households
from .models import IMPORT_PERMISSIONS, Household
from .views import VIEW_REGISTER, by_status


@endpoint("GET", permission=VIEW_REGISTER)
def counts(request):
    """Households on the list, their people, each category, and those that left, returned or
    were newly registered, by village and for the county; and how many of those on the list
    meet the exit standard."""
    county = county_of(request)
    households = Household.objects.of_county(county)
    villages, total = by_status(households, "village__code")
    total["meeting_exit_standard"] = households.on_list().meeting_exit_standard().count()
    return answer({"county": county.adcode, "total": total,
                   "villages": [{"code": v.pop("village__code"), **v} for v in villages]})


@endpoint("POST", permission=IMPORT_PERMISSIONS,
          denied=gettext_lazy("only the county's planners import the register of households"))
def import_register(request):
    """Import a register (multipart `file`, .xlsx or .csv; `encoding`; `dry_run=true`)."""
    villages = Village.objects.of_county(county_of(request))
    with tempfile.TemporaryDirectory() as folder:
        report = import_households(sent_file(request, folder),
                                   dry_run=flag(request.POST, "dry_run"),
                                   encoding=request.POST.get("encoding") or None,
                                   villages=villages, user=request.user)
    return answer(vars(report), status=200 if report.dry_run else 201)
