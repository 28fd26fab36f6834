"""GET /api/assessment/: every village against the exit modules, the record checked against the
map, the priority list and the household categories; ?format=csv|xlsx for the file. Errors are
JSON {"error": "..."}: 400 bad options, 401 anonymous, 403 without the view permission."""
import tempfile
from functools import wraps
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from access.api import NumpyEncoder, error
from access.runs import BadOptions
from analysis.exit import RulesError

from layers import importing
from layers.forms import saved_upload
from layers.importing import ImportRefused

from .periods import import_periods, trends, worse
from .report import SUFFIXES, write_report
from .runs import AssessOptions, run_assessment

PERMISSION = "layers.view_village"
IMPORT_PERMISSION = "layers.add_villageperiod"
CONTENT_TYPES = {".csv": "text/csv; charset=utf-8",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def guarded(permission, refusal):
    """401 for anonymous callers, 403 (`refusal`, lazily translated) without `permission`."""
    def decorate(view):
        @login_not_required  # answers 401 itself: an API caller wants a status, not a login page
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return error(401, _("sign in first"))
            if not request.user.has_perm(permission):
                return error(403, str(refusal))
            return view(request, *args, **kwargs)
        return checked
    return decorate


@guarded(PERMISSION, gettext_lazy("your role may not view villages"))
@require_GET
@gzip_page
def assessment(request):
    fmt = request.GET.get("format") or "json"
    if fmt != "json" and f".{fmt}" not in SUFFIXES:
        return error(400, _("format is json, csv or xlsx"))
    try:
        run = run_assessment(AssessOptions(request.GET.get("module") or "standard"))
    except (BadOptions, RulesError) as problem:
        return error(400, str(problem))
    if fmt != "json":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"exit-assessment.{fmt}"
            write_report(run, path)
            response = HttpResponse(path.read_bytes(), content_type=CONTENT_TYPES[path.suffix])
        response["Content-Disposition"] = f'attachment; filename="{path.name}"'
        return response
    rules = run.rules
    return JsonResponse({
        "summary": run.summary(), "module": run.options.module,
        "map_checks": {"road_within_m": rules.road_within_m,
                       "clinic_within_minutes": rules.clinic_within_minutes},
        "villages": list(run.rows()), "priority": run.priority(),
        "categories": run.categories()},
        encoder=NumpyEncoder, json_dumps_params={"ensure_ascii": False, "allow_nan": False})


@guarded(PERMISSION, gettext_lazy("your role may not view villages"))
@require_GET
@gzip_page
def trend(request):
    """The county's and each zone's figures quarter by quarter, and the villages that got worse
    in the latest quarter."""
    return JsonResponse({
        "trends": [{**vars(t), "periods": [f"{y}Q{q}" for y, q in t.periods]}
                   for t in trends()],
        "worse": worse()}, json_dumps_params={"ensure_ascii": False})


@guarded(IMPORT_PERMISSION, gettext_lazy("only planners import statistics"))
@require_POST
def periods(request):
    """Import a quarter's statistics: multipart `file` (.xlsx or .csv), `encoding`,
    `dry_run=true`."""
    upload = request.FILES.get("file")
    if upload is None:
        return error(400, _("send the file as multipart form field 'file'"))
    if upload.size > importing.MAX_UPLOAD_BYTES:
        return error(400, _("The file is larger than %(mb)d MB.")
                     % {"mb": importing.MAX_UPLOAD_BYTES // 2**20})
    with tempfile.TemporaryDirectory() as folder:
        path = saved_upload(upload, folder)
        try:
            report = import_periods(path, dry_run=request.POST.get("dry_run") in ("1", "true"),
                                    encoding=request.POST.get("encoding") or None)
        except ImportRefused as refusal:
            return error(400, str(refusal))
    return JsonResponse({"rows": report.rows, "dry_run": report.dry_run,
                         "periods": [f"{y}Q{q}" for y, q in report.periods]},
                        status=200 if report.dry_run else 201)
