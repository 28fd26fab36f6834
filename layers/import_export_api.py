"""The file endpoints: POST /api/import/<kind>/ (multipart) and GET /api/export/<kind>.<format>.

Session authentication as the layer API: an anonymous caller gets 401, a role without the
permissions 403, a bad file or parameter 400 with the reason, all as {"error": "..."}.
"""
import dataclasses
import tempfile
from functools import wraps
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .api import error
from .datasets import DATASETS
from .exporting import CONTENT_TYPES, ExportOptions, ExportRefused, export_layer, file_format
from .forms import ImportForm, may_import
from .importing import ImportRefused


def signed_in(view):
    """Answer 404 for an unknown layer and 401 for an anonymous caller, before the view."""
    @login_not_required  # answers 401 itself: an API caller wants a status, not a login page
    @wraps(view)
    def checked(request, kind, **kwargs):
        if kind not in DATASETS:
            return error(404, _("no such layer: %(name)s") % {"name": kind})
        if not request.user.is_authenticated:
            response = error(401, _("sign in first"))
            response["WWW-Authenticate"] = 'Session realm="gisplan"'
            return response
        return view(request, kind, **kwargs)
    return checked


@require_POST
@signed_in
def import_file(request, kind):
    form = ImportForm({**request.POST.dict(), "kind": kind}, request.FILES, kinds=[kind])
    replace = form.fields["replace"].to_python(form.data.get("replace"))  # as the form reads it
    if not may_import(request.user, kind, replace=replace):
        return error(403, _("your role may not import this layer"))
    if not form.is_valid():
        return error(400, "; ".join(f"{name}: {' '.join(messages)}"
                                    for name, messages in form.errors.items()))
    try:
        report = form.run(request.user)
    except ImportRefused as refusal:
        return error(400, str(refusal))
    return JsonResponse({**dataclasses.asdict(report), "summary": report.summary()},
                        json_dumps_params={"ensure_ascii": False})


@require_GET
@signed_in
def export_file(request, kind, fmt):
    meta = DATASETS[kind].model._meta
    if not request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
        return error(403, _("your role may not view this layer"))
    name = f"{kind}.{fmt}"
    try:
        srid = int(request.GET["srid"]) if request.GET.get("srid") else None
    except ValueError:
        return error(400, _("srid must be an EPSG code (a whole number)"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        try:
            export_layer(ExportOptions(kind, path, srid))
        except ExportRefused as refusal:
            return error(400, str(refusal))
        response = HttpResponse(path.read_bytes(), content_type=CONTENT_TYPES[file_format(name)])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
