"""The one API layer (gisplan/api.py): every view under /api/ is wrapped by `endpoint`, a 401
says how to authenticate, a refusal is one line, numpy numbers are JSON numbers."""
import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver

from analysis.refusals import AnalysisRefusal
from gisplan import api


def api_views(resolver=None, prefix=""):
    """(route, view) of every URL pattern under api/."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern, route)
        elif route.startswith("api/"):
            yield route, pattern.callback


def test_every_api_view_is_wrapped_by_the_one_endpoint():
    views = list(api_views())
    assert len(views) > 20
    assert [route for route, view in views if not getattr(view, "api_endpoint", False)] == []


@pytest.mark.parametrize("problem, status, message", [
    (api.Refusal("bad\noptions"), 400, "bad options"),  # one line
    (api.Forbidden("no"), 403, "no"),
    (api.NotFound("gone"), 404, "gone"),
    (api.Conflict("in force"), 409, "in force"),
    (api.PreconditionFailed("stale"), 412, "stale"),
    (api.PreconditionRequired("If-Match"), 428, "If-Match"),
    (AnalysisRefusal("off the grid"), 400, "off the grid"),
    (ValidationError(["one", "two"]), 400, "one; two"),
    (Http404("no such plan"), 404, "no such plan"),
])
def test_a_refusal_is_answered_as_json_with_its_status(problem, status, message):
    @api.endpoint("GET", public=True)
    def view(request):
        raise problem
    response = view(RequestFactory().get("/api/x/"))
    assert (response.status_code, json.loads(response.content)) == (status, {"error": message})


def test_an_anonymous_caller_is_told_how_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    @api.endpoint("GET")
    def view(request):
        return api.answer({})
    request = RequestFactory().get("/api/x/")
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="gisplan", Session realm="gisplan"'


def test_a_refusal_is_one_line_of_at_most_500_characters():
    refusal = api.Refusal("a\r\nb\tc  " + "x" * 1000)
    assert str(refusal).startswith("a b c x") and len(str(refusal)) == 500
    assert str(refusal).endswith("…")


def test_numpy_numbers_and_arrays_are_json_and_nan_is_refused():
    response = api.answer({"n": np.int64(3), "x": np.float32(0.5), "a": np.arange(3)})
    assert json.loads(response.content) == {"n": 3, "x": 0.5, "a": [0, 1, 2]}
    with pytest.raises(ValueError):
        api.answer({"nan": float("nan")})
