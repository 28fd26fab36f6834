"""The answers Django gives before any view of ours (a path no route matches, a body it cannot
parse, a missing CSRF token, a server error): JSON {"error": ...} under /api/ and /tiles/, as every
API endpoint answers, and Django's own pages elsewhere."""
from django.utils.translation import gettext as _
from django.views import csrf, defaults

from .api import error


def _api(request):
    return request.path.startswith(("/api/", "/tiles/"))


def bad_request(request, exception):
    if _api(request):
        return error(400, _("the request could not be read"))
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return error(403, _("your role may not do this"))
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    if _api(request):
        return error(403, _("the CSRF token is missing or wrong: send the csrftoken cookie's "
                            "value in the X-CSRFToken header"))
    return csrf.csrf_failure(request, reason)


def page_not_found(request, exception):
    if _api(request):
        return error(404, _("no such address in the API: %(path)s") % {"path": request.path})
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return error(500, _("an error in gisplan; the server's log has the details"))
    return defaults.server_error(request)
