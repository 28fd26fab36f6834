"""Property-based tests of the API against its own OpenAPI schema: schemathesis generates
requests for every operation of /api/schema/, valid and invalid, and sends them to the WSGI
application, as a planner (who may do everything the API offers) and anonymously.

No answer may be a server error; each answer's status, content type and (JSON) body must be
the schema's. The requests run in the test's transaction, which rolls back: the drafts,
industries and imports they make are gone afterwards. The examples are derandomized, so a run
in CI finds what a run on a desk found.
"""
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance, status_code_conformance)

from gisplan.wsgi import application

from .conftest import log_in

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Any value works as the CSRF secret when the cookie and the header agree, as a browser's do.
CSRF_TOKEN = "fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz"


@pytest.fixture
def in_transaction(db):
    """The application called straight through WSGI, inside the test's transaction.

    Django closes the database connection at the end of each request when it is inside a
    transaction; its test client stops that, and so does this fixture, the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(params=["planner", "anonymous"])
def credentials(request, in_transaction):
    """The cookies and headers of a caller: a planner's session, or none."""
    cookies = {django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN}
    if request.param != "anonymous":
        client = Client()
        client.force_login(User.objects.get(username=request.param))
        cookies[django_settings.SESSION_COOKIE_NAME] = \
            client.cookies[django_settings.SESSION_COOKIE_NAME].value
    # Uncompressed answers: the WSGI client, unlike a browser, does not gunzip them.
    return cookies, {"X-CSRFToken": CSRF_TOKEN, "Accept-Encoding": "identity"}


# Scoring the county for an industry takes a second or two a request: fewer examples there.
SITING = "^/api/analysis/suitability/"
SETTINGS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])


@schema.exclude(path_regex=SITING).parametrize()
@settings(max_examples=25, **SETTINGS)
def test_no_server_errors(case, credentials):
    cookies, headers = credentials
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)


@schema.include(path_regex=SITING).parametrize()
@settings(max_examples=8, **SETTINGS)
def test_no_server_errors_in_siting(case, credentials):
    cookies, headers = credentials
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)


@pytest.mark.parametrize("method, url, data", [
    # Found by the fuzzing: PostgreSQL refuses text with NUL, which was a 500.
    ("post", "/api/plans/", {"name": "a\x00b"}),
    ("post", "/api/analysis/suitability/sites/", {"name": "a\x00b", "site": "r1c1",
                                                  "industry": "tourism"}),
    ("get", "/api/layers/villages/?q=a%00b", None),
    ("get", "/api/layers/villages/?zone=%00", None),
])
def test_text_with_nul_is_a_bad_request(method, url, data, client, db):
    log_in(client, "planner")
    if data is None:
        response = client.get(url)
    else:
        response = getattr(client, method)(url, data, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["error"]


def test_more_new_sites_than_candidates_is_a_bad_request(client, db):
    """Found by the fuzzing: p above the number of candidate sites was a 500 from the solver."""
    log_in(client, "planner")
    response = client.get("/api/analysis/locate/?service=elderly_care&model=mclp&p=100000"
                          "&mode=euclidean&max_distance=5000")
    assert response.status_code == 400, response.content
    assert "p can be at most" in response.json()["error"]
