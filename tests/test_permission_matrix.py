"""Every URL and API endpoint, tried by every role, against a declared permission matrix.

MATRIX below is the declaration: for each URL pattern (by its namespaced name; an unnamed pattern
by its route), the requests to try and the status each role must get. The roles are those of
layers/roles.py plus the two ends: `anonymous` (not signed in) and `admin` (a superuser).

- Pages send an anonymous caller to the sign-in page (LOGIN: a 302 to /accounts/login/); the API
  answers 401. A role without the permission gets 403.
- Writes are tried with an empty or invalid body, or on the plan in force, which no write may
  change: a role that may write gets 400 (or 409/428/a redirect back with a message), never a
  2xx, and the test checks that nothing changed. The point is the gate, not the function.
- The admin (/admin/) is declared once per registered model in ADMIN_MODELS, with what a planner
  and a county's administrator (the staff roles) may do there, and its rows are made from that table: a model newly
  registered in the admin fails test_every_url_pattern_has_a_row until it is declared.

test_every_url_pattern_has_a_row walks the URL resolver: a new endpoint without a row fails the
suite, naming it. To add one, write a row in MATRIX: `"app:name": (Try(...),)`.
"""
import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from households.models import Household, HouseholdExport
from layers.models import (County, Industry, PlanVersion, ProtectedArea, RasterLayer, River, Road,
                           ServiceCenter, Town, Village, VillagePeriod, Zone)

ROLES = ("anonymous", "official", "analyst", "planner", "administrator", "admin")
LOGIN = "302 to the sign-in page"
ADMIN_LOGIN = "302 to the admin's sign-in page"


def by_role(anonymous, official, analyst, planner, admin, administrator=None):
    """The status (or LOGIN, ADMIN_LOGIN) each role must get, in the order of ROLES. A county's
    administrator browses what an official browses: they get the official's answer unless
    `administrator` says otherwise."""
    return dict(zip(ROLES, (anonymous, official, analyst, planner,
                            official if administrator is None else administrator, admin)))


def staff(planner, admin, anonymous=ADMIN_LOGIN, administrator=None):
    """An admin page: the admin sends a role that is not staff to its own sign-in page; a
    planner and an administrator are staff (the administrator gets the planner's answer unless
    `administrator` says otherwise). The site's pages of the admin send an anonymous caller
    there too, the model admins' pages to the site's sign-in page (they are not marked
    login_not_required)."""
    return by_role(anonymous, ADMIN_LOGIN, ADMIN_LOGIN, planner, admin,
                   planner if administrator is None else administrator)


@dataclass(frozen=True)
class Try:
    """One request. Strings in `kwargs`, `query`, `path` and the bodies may name sample objects
    as "{plan}", "{zone}", ... (see `sample_values`)."""
    method: str
    expect: dict
    kwargs: dict = field(default_factory=dict)  # for reverse()
    query: str = ""
    json: object = None  # a JSON body (API)
    form: dict = None  # a form body (pages)
    headers: dict = field(default_factory=dict)
    content_type: str = ""  # of every 2xx answer
    path: str = ""  # instead of reverse(): an unnamed pattern's path


# The answers that recur.
PAGE = by_role(LOGIN, 200, 200, 200, 200)  # every role views the plan's data
ANALYSIS_PAGE = by_role(LOGIN, 403, 200, 200, 200)  # layers.run_analysis
PLANNER_FORM = by_role(LOGIN, 403, 403, 302, 302)  # a refused form comes back with a message
API_READ = by_role(401, 200, 200, 200, 200)
ANALYSIS_API_BAD = by_role(401, 403, 400, 400, 400)  # allowed, but the options are missing
PLANNER_API_BAD = by_role(401, 403, 403, 400, 400)  # allowed, but the body is empty
PLANNER_API_CONFLICT = by_role(401, 403, 403, 409, 409)  # allowed, but not on the plan in force
EVERYONE = by_role(200, 200, 200, 200, 200)
NOBODY = by_role(405, 405, 405, 405, 405)
HTML, JSON, GEOJSON = "text/html", "application/json", "application/geo+json"

PLAN, ZONE = {"pk": "{plan}"}, {"pk": "{plan}", "code": "E"}

MATRIX = {
    # Signing in and out, the language.
    "login": (Try("GET", EVERYONE, content_type=HTML),),
    "logout": (Try("GET", by_role(LOGIN, 405, 405, 405, 405)), Try("POST", by_role(302, 302, 302, 302, 302))),
    "set_language": (Try("POST", by_role(302, 302, 302, 302, 302), form={"language": "en"}),),
    # The site's icon: every page asks for it, the sign-in page too.
    "favicon": (Try("GET", EVERYONE, content_type="image/"), Try("POST", NOBODY)),

    # The portal.
    "maps:home": (Try("GET", PAGE, content_type=HTML),),
    "maps:zone": (Try("GET", PAGE, kwargs={"code": "E"}, content_type=HTML),),
    "maps:region": (Try("GET", PAGE, content_type=HTML),),
    "basemap": (Try("GET", PAGE, content_type="image/jpeg"),),

    # Layers, files, the schema.
    "layers:layer": (Try("GET", API_READ, kwargs={"name": "villages"}, content_type=GEOJSON),
                     Try("GET", API_READ, kwargs={"name": "county"}, content_type=GEOJSON),
                     Try("GET", by_role(401, 400, 400, 400, 400), kwargs={"name": "villages"},
                         query="bbox=1,2")),
    "layers:import": (Try("GET", NOBODY, kwargs={"kind": "villages"}),
                      Try("POST", PLANNER_API_BAD, kwargs={"kind": "villages"}, form={}),
                      # Nobody edits the county: not even a planner may import it.
                      Try("POST", by_role(401, 403, 403, 403, 400), kwargs={"kind": "county"},
                          form={})),
    "layers:export": (Try("GET", API_READ, kwargs={"kind": "villages", "fmt": "geojson"},
                          content_type=GEOJSON),
                      Try("POST", NOBODY, kwargs={"kind": "villages", "fmt": "geojson"})),
    # A raster's value at a place: for every role that sees the map (the sample has a DEM).
    "layers:raster_value": (Try("GET", API_READ, kwargs={"kind": "dem"}, content_type=JSON,
                                query="lon=110.141&lat=34.089"),
                            Try("GET", by_role(401, 400, 400, 400, 400), kwargs={"kind": "dem"}),
                            Try("POST", NOBODY, kwargs={"kind": "dem"})),
    # Importing a DEM or land use needs layers.import_rasters: planners (and the superuser).
    "raster_import": (Try("GET", NOBODY, kwargs={"kind": "dem"}),
                      Try("POST", PLANNER_API_BAD, kwargs={"kind": "dem"}, form={})),
    "schema": (Try("GET", EVERYONE, content_type=JSON),),
    # Vector tiles: what the layer API shows, to the same roles.
    "tile": (Try("GET", API_READ, kwargs={"name": "villages", "z": 6, "x": 51, "y": 25},
                 content_type="application/vnd.mapbox-vector-tile"),
             Try("GET", by_role(401, 400, 400, 400, 400),
                 kwargs={"name": "villages", "z": 21, "x": 0, "y": 0}),
             Try("POST", NOBODY, kwargs={"name": "villages", "z": 6, "x": 51, "y": 25})),
    "tilejson": (Try("GET", API_READ, kwargs={"name": "villages"}, content_type=JSON),),
    "data:import": (Try("GET", PAGE, content_type=HTML),),

    # The zone plan: pages.
    "plans:index": (Try("GET", PAGE, content_type=HTML),),
    "plans:new": (Try("GET", by_role(LOGIN, 405, 405, 405, 405)),
                  Try("POST", PLANNER_FORM, form={})),
    "plans:compare": (Try("GET", PAGE, content_type=HTML),
                      Try("GET", PAGE, query="a={plan}&b={plan}", content_type=HTML)),
    "plans:editor": (Try("GET", PAGE, kwargs=PLAN, content_type=HTML),),
    # The plan in force cannot be discarded, submitted or approved again.
    "plans:discard": (Try("POST", PLANNER_FORM, kwargs=PLAN),),
    "plans:transition": tuple(Try("POST", PLANNER_FORM, kwargs={**PLAN, "action": action})
                              for action in ("submit", "withdraw", "approve")),

    # The zone plan: API.
    "plans_api:versions": (Try("GET", API_READ, content_type=JSON),
                           Try("POST", PLANNER_API_BAD, json={})),
    "plans_api:compare": (Try("GET", API_READ, query="a={plan}&b={plan}", content_type=JSON),
                          Try("GET", by_role(401, 400, 400, 400, 400))),
    "plans_api:version": (Try("GET", API_READ, kwargs=PLAN, content_type=JSON),
                          Try("DELETE", PLANNER_API_CONFLICT, kwargs=PLAN)),
    "plans_api:zone": (Try("GET", API_READ, kwargs=ZONE, content_type=JSON),
                       # No If-Match: 428 before anything is read from the body.
                       Try("PATCH", by_role(401, 403, 403, 428, 428), kwargs=ZONE, json={})),
    "plans_api:preview": (Try("POST", PLANNER_API_BAD, kwargs=ZONE, json={}),),
    "plans_api:history": (Try("GET", API_READ, kwargs=PLAN, content_type=JSON),),
    "plans_api:history_record": (Try("GET", API_READ, kwargs={**PLAN, "history_id": "{history}"},
                                     content_type=JSON),),
    "plans_api:restore": (Try("POST", PLANNER_API_BAD, kwargs=PLAN, json={}),),
    "plans_api:transition": tuple(Try("POST", PLANNER_API_CONFLICT, kwargs={**PLAN, "action": a})
                                  for a in ("submit", "withdraw", "approve")),

    # Analyses: pages and API.
    "access:coverage": (Try("GET", ANALYSIS_PAGE, content_type=HTML),),
    "siting:siting": (Try("GET", ANALYSIS_PAGE, content_type=HTML),),
    "access_api:coverage": (Try("GET", ANALYSIS_API_BAD),
                            Try("GET", by_role(401, 403, 200, 200, 200), content_type=JSON,
                                query="service={service}&mode=euclidean&max_distance=5000")),
    "access_api:locate": (Try("GET", ANALYSIS_API_BAD),),
    "siting_api:suitability": (Try("GET", ANALYSIS_API_BAD),),
    "siting_api:surface_png": (Try("GET", ANALYSIS_API_BAD),),
    # Saving a site needs layers.run_analysis and layers.add_industry: planners only.
    "siting_api:save": (Try("GET", NOBODY), Try("POST", PLANNER_API_BAD, json={})),

    # Village exit assessment.
    "assessment:assessment": (Try("GET", PAGE, content_type=HTML),),
    "assessment_api:assessment": (Try("GET", API_READ, content_type=JSON),),
    "assessment_api:trends": (Try("GET", API_READ, content_type=JSON),),
    "assessment:goals": (Try("GET", PAGE, content_type=HTML),),
    "assessment:league": (Try("GET", PAGE, content_type=HTML),
                          Try("GET", by_role(LOGIN, 400, 400, 400, 400), query="quarter=1999Q1")),
    "assessment_api:goals": (Try("GET", API_READ, content_type=JSON),),
    "assessment_api:league": (Try("GET", API_READ, content_type=JSON),
                              Try("GET", by_role(401, 400, 400, 400, 400), query="quarter=x")),
    "assessment_api:periods": (Try("POST", PLANNER_API_BAD, form={}),),

    # The register of poor households: counts for every role, persons for the county's planners.
    "households:index": (Try("GET", PAGE, content_type=HTML),),
    "households:household": (Try("GET", by_role(LOGIN, 403, 403, 200, 200, administrator=403),
                                 kwargs={"code": "{household}"}, content_type=HTML),),
    "households:export": (Try("GET", PAGE, kwargs={"fmt": "csv"}, content_type="text/csv"),
                          Try("GET", by_role(LOGIN, 404, 404, 404, 404), kwargs={"fmt": "pdf"})),
    "households_api:counts": (Try("GET", API_READ, content_type=JSON),),
    "households_api:import": (Try("POST", PLANNER_API_BAD, form={}),),

    # The audit log: every role reads it.
    "plans:audit": (Try("GET", PAGE, content_type=HTML),),

    # Background jobs: each user sees their own; queueing needs the role of the endpoint.
    # A user's API tokens: their own page; a token of another (or none) is not found.
    "tokens:tokens": (Try("GET", PAGE, content_type=HTML),
                      Try("POST", PAGE, form={}, content_type=HTML)),  # the form, with its errors
    "tokens:revoke": (Try("GET", by_role(LOGIN, 405, 405, 405, 405), kwargs={"pk": 999999}),
                      Try("POST", by_role(LOGIN, 404, 404, 404, 404), kwargs={"pk": 999999})),

    # The OGC API – Features: read by every role, in JSON and HTML; an anonymous caller is
    # told how to authenticate (401); nothing is written there.
    "ogc:landing": (Try("GET", API_READ, content_type=JSON), Try("POST", NOBODY)),
    "ogc:api": (Try("GET", API_READ, content_type=HTML),),
    "ogc:conformance": (Try("GET", API_READ, content_type=JSON),),
    "ogc:collections": (Try("GET", API_READ, content_type=JSON),
                        # A browser without a session is sent to sign in, never asked for Basic.
                        Try("GET", by_role(LOGIN, 200, 200, 200, 200), query="f=html",
                            content_type=HTML)),
    "ogc:collection": (Try("GET", API_READ, kwargs={"cid": "villages"}, content_type=JSON),
                       Try("GET", by_role(401, 404, 404, 404, 404), kwargs={"cid": "households"})),
    "ogc:items": (Try("GET", API_READ, kwargs={"cid": "villages"}, content_type=GEOJSON),
                  Try("GET", API_READ, kwargs={"cid": "village_quarters"}, query="limit=5",
                      content_type=GEOJSON),
                  Try("GET", by_role(401, 400, 400, 400, 400), kwargs={"cid": "villages"},
                      query="bbox=1,2")),
    "ogc:item": (Try("GET", API_READ, kwargs={"cid": "villages", "fid": "{village}"},
                     content_type=GEOJSON),),

    "jobs:jobs": (Try("GET", PAGE, content_type=HTML),),
    # The data page's "import in the background": roles that may import get their form back
    # with its errors (400); the others may import nothing.
    "jobs:import": (Try("GET", by_role(LOGIN, 405, 405, 405, 405)),
                    Try("POST", by_role(LOGIN, 403, 403, 400, 400), form={})),
    "jobs:raster_import": (Try("GET", by_role(LOGIN, 405, 405, 405, 405)),
                           Try("POST", by_role(LOGIN, 403, 403, 400, 400), form={})),
    # The region portal's "coverage of the region": roles that run analyses get the portal back
    # with the reason (no region named: a 302 with a message); the others may not run it.
    "jobs:region_coverage": (Try("GET", by_role(LOGIN, 405, 405, 405, 405)),
                             Try("POST", by_role(LOGIN, 403, 302, 302, 302), form={})),
    # Batches across counties: started from the region portal's form or the API by the roles
    # that run analyses (no region named: the portal again with a message, or a 400), read by
    # every role of the region; a batch that does not exist is not found.
    "batches:start": (Try("GET", by_role(LOGIN, 405, 405, 405, 405)),
                      Try("POST", by_role(LOGIN, 403, 302, 302, 302), form={})),
    "batches:cancel": (Try("GET", by_role(LOGIN, 405, 405, 405, 405), kwargs={"pk": 999999}),
                       Try("POST", by_role(LOGIN, 403, 404, 404, 404), kwargs={"pk": 999999},
                           form={})),
    "batches_api:batches": (Try("GET", API_READ, content_type=JSON),
                            Try("POST", ANALYSIS_API_BAD, form={})),
    "batches_api:batch": (Try("GET", by_role(401, 404, 404, 404, 404), kwargs={"pk": 999999}),
                          Try("POST", NOBODY, kwargs={"pk": 999999})),
    "batches_api:export": (Try("GET", by_role(401, 404, 404, 404, 404), kwargs={"pk": 999999}),),
    "batches_api:cancel": (Try("GET", NOBODY, kwargs={"pk": 999999}),
                           Try("POST", by_role(401, 403, 404, 404, 404), kwargs={"pk": 999999})),
    "jobs_api:jobs": (Try("GET", API_READ, content_type=JSON), Try("POST", NOBODY)),
    "jobs_api:job": (Try("GET", by_role(401, 404, 404, 404, 404),
                         kwargs={"pk": "00000000-0000-0000-0000-000000000000"}),),
    "jobs_api:queue": (Try("GET", NOBODY, kwargs={"kind": "coverage"}),
                       Try("POST", ANALYSIS_API_BAD, kwargs={"kind": "coverage"}, form={})),
    "jobs_api:import": (Try("GET", NOBODY, kwargs={"layer": "villages"}),
                        Try("POST", PLANNER_API_BAD, kwargs={"layer": "villages"}, form={})),

    # The admin, beyond its models (below): only staff get in; a planner and an administrator
    # are staff.
    "admin:index": (Try("GET", staff(200, 200), content_type=HTML),),
    # Staff are sent on to the index; others see the form (and a word on their account).
    "admin:login": (Try("GET", by_role(200, 200, 200, 302, 302, administrator=302),
                        content_type=HTML),),
    # Who is not staff is sent to the index, staff to the sign-in page (LOGOUT_REDIRECT_URL).
    "admin:logout": (Try("POST", by_role(302, 302, 302, 302, 302)),),
    "admin:password_change": (Try("GET", staff(200, 200), content_type=HTML),
                              # An empty form comes back with its errors; nothing is changed.
                              Try("POST", staff(200, 200), form={},
                                  content_type=HTML)),
    "admin:password_change_done": (Try("GET", staff(200, 200), content_type=HTML),),
    # Without its parameters the autocomplete refuses everyone.
    "admin:autocomplete": (Try("GET", staff(403, 403)),),
    "admin:jsi18n": (Try("GET", staff(200, 200), content_type="text/javascript"),),
    # Zones have no page of their own outside the editor: the shortcut finds none.
    "admin:view_on_site": (Try("GET", staff(404, 404),
                               kwargs={"content_type_id": "{zone_type}",
                                       "object_id": "{obj_layers_zone}"}),),
    "admin:app_list": (Try("GET", staff(200, 200), kwargs={"app_label": "layers"},
                           content_type=HTML),
                       # A planner sees no model of auth, so that app is not there for them;
                       # an administrator sees its users.
                       Try("GET", staff(404, 200, administrator=200), kwargs={"app_label": "auth"},
                           content_type=HTML)),
    "admin/(?P<url>.*)$": (Try("GET", staff(404, 404), path="/admin/no-such-page/"),),
    # The user is the planner, whom the main county's administrator manages.
    "admin:auth_user_password_change": (Try(
        "GET", staff(403, 200, anonymous=LOGIN, administrator=200), content_type=HTML,
        kwargs={"id": "{obj_auth_user}"}),),
    "admin:layers_zone_simple_history": (Try(
        "GET", staff(200, 200, anonymous=LOGIN), content_type=HTML,
        path="/admin/layers/zone/{obj_layers_zone}/history/{history}/"),),
}

# Every model in the admin: what a planner and a county's administrator may do there ("none",
# "view", "users": view, add and change, or "edit": view, add, change, delete), and what nobody,
# not even a superuser, may do there. The county, its towns, protected areas and rasters are
# loaded, not edited; users are the administrators'; groups, sign-in records and background
# jobs the superuser's. Versions and zones are made in the zone editor.
ADMIN_MODELS = {
    "auth_group": ("none", "none", ()),
    "auth_user": ("none", "users", ()),
    "axes_accessattempt": ("none", "none", ("add",)),
    "axes_accesslog": ("none", "none", ("add",)),
    "axes_accessfailurelog": ("none", "none", ("add",)),
    "django_tasks_database_dbtaskresult": ("none", "none", ("add", "delete")),
    "layers_county": ("view", "view", ()),
    "layers_town": ("view", "view", ()),
    "layers_planversion": ("edit", "view", ("add",)),
    "layers_zone": ("edit", "view", ("add",)),
    "layers_village": ("edit", "view", ()),
    "layers_servicecenter": ("edit", "view", ()),
    "layers_industry": ("edit", "view", ()),
    "layers_road": ("edit", "view", ()),
    "layers_river": ("edit", "view", ()),
    "layers_protectedarea": ("view", "view", ()),
    "layers_rasterlayer": ("view", "view", ()),
    # The register: its pages show personal data, for the county's planners only.
    "households_household": ("edit", "none", ()),
    "households_cadre": ("edit", "none", ()),
    "households_povertyline": ("none", "none", ()),
    "households_householdexport": ("none", "view", ("add", "delete")),
}
MAY = {"none": (), "view": ("changelist", "change", "history"),
       "users": ("changelist", "add", "change", "history"),
       "edit": ("changelist", "add", "change", "history", "delete")}


def admin_rows(model, planner, administrator, nobody):
    """The rows of one admin model: its list, add form, change form, history and delete
    confirmation (all GET: nothing is changed), and the bare object URL that redirects."""
    def expect(action):
        allowed = action not in nobody
        return staff(200 if allowed and action in MAY[planner] else 403,
                     200 if allowed else 403, anonymous=LOGIN,
                     administrator=200 if allowed and action in MAY[administrator] else 403)
    app_label, model_name = model.rsplit("_", 1)
    object_id = {"object_id": f"{{obj_{model}}}"}
    return {
        f"admin:{model}_changelist": (Try("GET", expect("changelist"), content_type=HTML),),
        f"admin:{model}_add": (Try("GET", expect("add"), content_type=HTML),),
        f"admin:{model}_change": (Try("GET", expect("change"), kwargs=object_id, content_type=HTML),),
        f"admin:{model}_history": (Try("GET", expect("history"), kwargs=object_id,
                                       content_type=HTML),),
        f"admin:{model}_delete": (Try("GET", expect("delete"), kwargs=object_id,
                                      content_type=HTML),),
        # Sent on to the change form whatever the permissions: the form decides.
        f"admin/{app_label}/{model_name}/<path:object_id>/": (Try(
            "GET", staff(302, 302, anonymous=LOGIN), path=f"/admin/{app_label}/{model_name}/{{obj_{model}}}/"),),
    }


for _model, (_planner, _administrator, _nobody) in ADMIN_MODELS.items():
    MATRIX.update(admin_rows(_model, _planner, _administrator, _nobody))


def url_patterns(resolver=None, namespace="", prefix=""):
    """(key, route) of every URL pattern: the key is the namespaced name, or for an unnamed
    pattern its route."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace and (f"{namespace}:{pattern.namespace}" if namespace
                                           else pattern.namespace)
            yield from url_patterns(pattern, inner or namespace, route)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
        else:
            yield route, route


def test_every_url_pattern_has_a_row():
    missing = [f"{key}  ({route})" for key, route in url_patterns() if key not in MATRIX]
    assert not missing, ("URL patterns without a row in the permission matrix "
                         "(tests/test_permission_matrix.py MATRIX):\n" + "\n".join(missing))


def test_every_row_is_a_url_pattern():
    keys = {key for key, _ in url_patterns()}
    stale = sorted(set(MATRIX) - keys)
    assert not stale, "rows of the permission matrix that no URL pattern has: " + ", ".join(stale)


def test_every_row_tries_every_role():
    for key, tries in MATRIX.items():
        for attempt in tries:
            assert set(attempt.expect) == set(ROLES), key


@pytest.fixture
def sample_values(db):
    """The sample county's objects that the rows name, and a row for each admin model the
    sample leaves empty (sign-in records, background jobs), made in the test's transaction."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_tasks_db.models import DBTaskResult

    AccessAttempt.objects.create(username="nobody", ip_address="10.0.0.1", user_agent="",
                                 http_accept="", path_info="/", get_data="", post_data="",
                                 failures_since_start=1)
    AccessLog.objects.create(username="planner", ip_address="10.0.0.1", user_agent="",
                             http_accept="", path_info="/")
    AccessFailureLog.objects.create(username="nobody", ip_address="10.0.0.1", user_agent="",
                                    http_accept="", path_info="/", locked_out=False)
    HouseholdExport.objects.create(user=None, county="611021", format="csv", rows=0,
                                   personal=False)
    DBTaskResult.objects.create(task_path="gisplan.no_such_task", backend_name="default",
                                run_after=timezone.now(), args_kwargs={"args": [], "kwargs": {}},
                                exception_class_path="", traceback="")
    plan = PlanVersion.objects.approved().get()
    zone = plan.zones.get(code="E")
    values = {
        "plan": plan.pk,
        "history": Zone.history.filter(plan_id=plan.pk, code="E").latest("history_id").history_id,
        "service": ServiceCenter.objects.values_list("kind", flat=True).order_by("kind").first(),
        "zone_type": ContentType.objects.get_for_model(Zone).pk,
        "household": Household.objects.order_by("code").values_list("code", flat=True).first(),
        "village": Village.objects.order_by("code").values_list("code", flat=True).first(),
    }
    for model in ADMIN_MODELS:
        app_label, model_name = model.rsplit("_", 1)
        values[f"obj_{model}"] = apps.get_model(app_label, model_name).objects.order_by("pk") \
            .values_list("pk", flat=True).first()
    assert values["obj_layers_zone"] is not None
    values["obj_layers_zone"] = zone.pk
    assert all(v is not None for v in values.values()), values
    return {k: str(v) for k, v in values.items()}


def fill(value, values):
    """`value` with the "{name}"s of sample objects filled in, inside lists and dicts too."""
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


def state():
    """What a refused or invalid write must leave as it was."""
    return (list(PlanVersion.objects.order_by("pk").values_list("pk", "status", "name")),
            list(Zone.objects.order_by("pk").values_list("pk", "revision", "name")),
            [m.objects.count() for m in (County, Town, Village, VillagePeriod, ServiceCenter,
                                         Industry, Road, River, ProtectedArea, RasterLayer,
                                         User, Group)])


def client_for(role):
    client = Client(enforce_csrf_checks=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def send(client, key, attempt, values):
    url = fill(attempt.path, values) if attempt.path else reverse(key, kwargs=fill(attempt.kwargs,
                                                                                    values))
    if attempt.query:
        url += "?" + fill(attempt.query, values)
    method = getattr(client, attempt.method.lower())
    if attempt.json is not None:
        return url, method(url, data=json.dumps(fill(attempt.json, values)),
                           content_type="application/json", headers=attempt.headers)
    if attempt.form is not None:
        return url, method(url, data=fill(attempt.form, values), headers=attempt.headers)
    return url, method(url, headers=attempt.headers)


def problems(key, attempt, role, url, response):
    """What is wrong with `response` to `attempt` by `role`, as sentences (none: all right)."""
    wanted = attempt.expect[role]
    found = []
    if wanted in (LOGIN, ADMIN_LOGIN):
        sign_in = reverse("login") if wanted == LOGIN else reverse("admin:login")
        if response.status_code != 302 or not response["Location"].startswith(sign_in):
            found.append(f"{wanted}, got {response.status_code} "
                         f"{response.get('Location', '')}".rstrip())
    elif response.status_code != wanted:
        found.append(f"{wanted}, got {response.status_code}")
    if response.status_code >= 500:
        found.append("a server error")
    content_type = response.get("Content-Type", "")
    if 200 <= response.status_code < 300:
        if attempt.content_type and not content_type.startswith(attempt.content_type):
            found.append(f"content type {attempt.content_type}, got {content_type}")
        if "json" in content_type:
            json.loads(b"".join(response) if response.streaming else response.content)
    if response.status_code == 401 and not response.get("WWW-Authenticate"):
        found.append("a 401 that says how to authenticate (WWW-Authenticate)")
    if url.startswith("/api/") and response.status_code in (400, 401, 403, 404, 409, 412, 428):
        if not content_type.startswith(JSON) or "error" not in response.json():
            found.append(f"a JSON error, got {content_type}: {response.content[:100]!r}")
    return [f"{role} {attempt.method} {url}: expected {p}" for p in found]


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_each_role_gets_the_declared_answer(key, sample_values):
    found = []
    for attempt in MATRIX[key]:
        for role in ROLES:
            before = state() if attempt.method != "GET" else None
            url, response = send(client_for(role), key, attempt, sample_values)
            found += problems(key, attempt, role, url, response)
            if before is not None and state() != before:
                found.append(f"{role} {attempt.method} {url}: changed the data")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("url, data", [("/api/plans/", "{}"), ("/plan/new/", None)])
def test_writes_without_the_csrf_token_are_refused(url, data, sample_values):
    """Session-authenticated writes need the CSRF token, the API's as much as the forms'."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="planner"))
    if data is None:
        response = client.post(url, {"name": "a draft"})
    else:
        response = client.post(url, data, content_type="application/json")
    assert response.status_code == 403
    assert not PlanVersion.objects.filter(name="a draft").exists()
