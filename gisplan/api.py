"""The one API layer: how every JSON endpoint under /api/ authenticates, answers and refuses.

- `endpoint` wraps a view: 401 with WWW-Authenticate for an anonymous caller, 403 without the
  permission, and every refusal raised inside the view answered as JSON {"error": "..."} with
  the refusal's status (400, 403, 404, 409, 412 or 428).
- `Refusal` is the base of every "your input is wrong" error in the Django apps; the analysis
  package keeps a Django-free base of its own (`analysis.refusals.AnalysisRefusal`), answered
  as a 400 here too. A command turns either into one line and a non-zero exit
  (`gisplan.commands`), a background job into the status "refused" (jobs.tasks).
- `answer` writes JSON, `error` a refusal, `attachment` a file made on the fly; `json_body`
  reads a request's JSON.
"""
import json
import tempfile
from functools import wraps
from pathlib import Path

import numpy as np
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from analysis.refusals import AnalysisRefusal

# A refusal quotes the user's own text (a file's cell may hold a megabyte); this much of it is
# enough to find the place.
MAX_MESSAGE_CHARS = 500
# The types of the files the API sends, by their ending.
CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
    ".shp.zip": "application/zip",
    ".tif": "image/tiff",
    ".png": "image/png",
}


def one_line(message):
    """`message` on one line (a command prints it as one, and a file's own text may hold line
    breaks) of at most MAX_MESSAGE_CHARS."""
    text = " ".join(str(message).split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS - 1] + "…"


class Refusal(ValueError):
    """Input the user must correct; the message says how, in one line. `status` is the HTTP
    answer."""

    status = 400

    def __init__(self, message):
        super().__init__(one_line(message))


class Forbidden(Refusal):
    """The caller's role may not do this (to this object)."""

    status = 403


class NotFound(Refusal):
    status = 404


class Conflict(Refusal):
    """The request does not fit the state of the data (a version that is not a draft)."""

    status = 409


class PreconditionFailed(Refusal):
    """The caller's copy is older than the stored one (its ETag no longer matches)."""

    status = 412


class PreconditionRequired(Refusal):
    """A change sent without the ETag of what it changes."""

    status = 428


# Every error a user can correct, in the apps and in the analyses.
REFUSALS = (Refusal, AnalysisRefusal)


class JSONEncoder(DjangoJSONEncoder):
    """Django's encoder (dates, decimals, lazy text), and the numpy scalars and arrays that the
    analyses hand out."""

    def default(self, o):
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
        return super().default(o)


def plain(data):
    """JSON-ready data as the API would answer it (numpy numbers, dates, lazy texts; NaN
    refused)."""
    return json.loads(json.dumps(data, cls=JSONEncoder, allow_nan=False))


def answer(data, status=200, content_type=None):
    """`data` as JSON: Chinese as it is, numpy numbers as numbers, NaN refused (it is not JSON)."""
    kwargs = {"content_type": content_type} if content_type else {}
    return JsonResponse(data, status=status, safe=False, encoder=JSONEncoder,
                        json_dumps_params={"ensure_ascii": False, "allow_nan": False}, **kwargs)


# A caller signs in with a browser's session or sends a personal token (tokens/).
API_CHALLENGE = 'Bearer realm="gisplan", Session realm="gisplan"'


def error(status, message):
    """{"error": message} with `status`; a 401 says how to authenticate (RFC 9110 §11.6.1)."""
    response = JsonResponse({"error": str(message)}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = API_CHALLENGE
    return response


def content_type(name):
    """The content type of a file called `name`, by its ending."""
    lower = str(name).lower()
    return next((t for suffix, t in CONTENT_TYPES.items() if lower.endswith(suffix)),
                "application/octet-stream")


def attachment(name, write):
    """The file that `write(path)` writes, sent as an attachment called `name`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        response = HttpResponse(path.read_bytes(), content_type=content_type(name))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def refused(problem):
    """The error answer to a refusal (or a Django ValidationError) raised by a view."""
    if isinstance(problem, ValidationError):
        return error(400, one_line("; ".join(problem.messages)))
    return error(getattr(problem, "status", 400), one_line(problem))


DENIED = gettext_lazy("your role may not do this")


def endpoint(*methods, permission=None, denied=DENIED, public=False):
    """A JSON endpoint answering `methods`.

    An anonymous caller gets 401 (an API caller wants a status, not the sign-in page), unless
    the endpoint is `public`; a caller without `permission` (one name, or a tuple that must
    all be held) gets 403 with `denied`. Refusals raised by the view, Django's
    ValidationError and Http404 become JSON errors with their status.
    """
    needed = (permission,) if isinstance(permission, str) else tuple(permission or ())

    def decorate(view):
        @login_not_required  # answers 401 itself
        @require_http_methods(methods)
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not public and not request.user.is_authenticated:
                return error(401, _("sign in first"))
            if needed and not request.user.has_perms(needed):
                return error(403, denied)
            try:
                return view(request, *args, **kwargs)
            except (*REFUSALS, ValidationError) as problem:
                return refused(problem)
            except Http404 as problem:
                return error(404, str(problem) or _("not found"))
        checked.api_endpoint = True  # tests/test_api_layer.py finds every API view wrapped
        return checked
    return decorate


def require(user, permission, denied):
    """Refuse with 403 (`denied`) unless `user` holds `permission` (a name or a tuple of names):
    for the endpoints whose permission depends on what is asked for."""
    if not user.has_perms((permission,) if isinstance(permission, str) else permission):
        raise Forbidden(denied)


def flag(params, name):
    """A boolean query or form parameter: 1, true or on."""
    return params.get(name) in ("1", "true", "on")


def without_nul(params):
    """Refuse parameters holding the NUL character (PostgreSQL stores none)."""
    if any("\x00" in str(value) for value in params.values()):
        raise Refusal(_("parameters must not contain the NUL character"))
    return params


def json_body(request):
    """The request's body: a JSON object (an empty body is {}), with no NUL in its text."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refusal(_("the request body is not JSON")) from None
    if not isinstance(data, dict):
        raise Refusal(_("the request body must be a JSON object"))
    if _has_nul(data):
        raise Refusal(_("text in the request body must not contain the NUL character"))
    return data


def _has_nul(value):
    """Whether a NUL character is in any string of a JSON value (PostgreSQL stores none)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False
