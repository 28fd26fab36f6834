"""The application as `make serve` runs it: gunicorn with gisplan/gunicorn.conf.py and DEBUG off,
static files collected and served by whitenoise, against the session's test database (the
sample county and a user per role, committed by conftest's django_db_setup)."""
import gzip
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

from layers.models import Village
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
USERS = 20  # a county office signed in at once
# What Django's debug pages say and its production pages never do.
DEBUG_MARKS = ("Traceback", "DEBUG = True", "Using the URLconf defined in", "Request Method:",
               "Invalid HTTP_HOST header", "Help</h2>", "django.core")


def database_url(db):
    user, password = (urllib.parse.quote(db[k] or "", safe="") for k in ("USER", "PASSWORD"))
    return f"postgis://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cookies(headers):
    return "; ".join(headers.get_all("Set-Cookie") or ())


class Production:
    """gunicorn on a free port; `get` and `post` speak plain HTTP to it."""

    def __init__(self, port, static_root):
        self.port, self.static_root = port, static_root

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def sign_in(self, username):
        """The Cookie header of `username` signed in through the login form."""
        status, headers, body = self.get("/accounts/login/")
        csrf = re.search(r"csrftoken=([^;]+)", cookies(headers)).group(1)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrfmiddlewaretoken": token})
        status, headers, _body = self.request("POST", "/accounts/login/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"})
        assert status == 302, f"{username} could not sign in"
        session = re.search(r"sessionid=([^;]+)", cookies(headers)).group(1)
        return f"sessionid={session}; csrftoken={csrf}"


@pytest.fixture(scope="module")
def production(django_db_setup, tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    port = free_port()
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited, "GISPLAN_DEBUG": "0", "GISPLAN_SECRET_KEY": secrets.token_urlsafe(50),
           "GISPLAN_ALLOWED_HOSTS": "127.0.0.1", "GISPLAN_BIND": f"127.0.0.1:{port}",
           # Static files are collected, and anything an analysis writes goes, under here; the
           # sample's rasters are read where the database records them.
           "GISPLAN_DATA_DIR": str(folder),
           "DATABASE_URL": database_url(settings.DATABASES["default"])}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    log = open(folder / "gunicorn.log", "wb")
    process = subprocess.Popen([str(GUNICORN), "--config", "gisplan/gunicorn.conf.py",
                                "gisplan.wsgi"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        server = Production(port, folder / "static")
        while True:  # until gunicorn answers or exits
            assert process.poll() is None, (folder / "gunicorn.log").read_text()
            try:
                server.get("/accounts/login/")
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def assert_no_debug_page(body):
    text = body.decode(errors="replace")
    for mark in DEBUG_MARKS:
        assert mark not in text, f"a debug page: {mark!r} in {text[:300]!r}"


def test_the_login_page(production):
    status, headers, body = production.get("/accounts/login/")
    assert status == 200
    assert b'name="csrfmiddlewaretoken"' in body
    assert headers["X-Frame-Options"] == "DENY"


def test_static_files_come_from_whitenoise_after_collectstatic(production):
    # DEBUG off, Django serves no static files itself: a 200 is whitenoise's, and it is the
    # collected file, gzipped beside it by collectstatic.
    collected = production.static_root / "maps" / "site.css"
    status, headers, body = production.get("/static/maps/site.css")
    assert status == 200 and body == collected.read_bytes()
    assert headers["Content-Type"].startswith("text/css")
    status, headers, body = production.get("/static/maps/site.css", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == collected.read_bytes()
    status, _headers, body = production.get("/static/maps/no-such-file.css")
    assert status == 404
    assert_no_debug_page(body)


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_missing_page_is_a_plain_404(production, signed_in):
    cookie = production.sign_in("official") if signed_in else ""
    status, _headers, body = production.get("/no/such/page/", Cookie=cookie)
    assert status == 404
    assert_no_debug_page(body)


def test_an_unknown_host_is_refused(production):
    status, _headers, body = production.get("/accounts/login/", Host="gisplan.example.com")
    assert status == 400
    assert_no_debug_page(body)


def test_bad_requests_never_show_the_debug_page(production):
    cookie = production.sign_in("official")
    # A bad parameter: the API's own JSON error.
    status, _headers, body = production.get("/api/layers/villages/?bbox=east,of,eden,x",
                                            Cookie=cookie)
    assert status == 400 and "error" in json.loads(body)
    # A form without its CSRF token: Django's refusal, without the debug help.
    status, _headers, body = production.request(
        "POST", "/accounts/login/", "username=official&password=x",
        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    assert_no_debug_page(body)
    # A request Django finds suspicious (an unknown host, and a path under no view's pattern).
    for headers in ({"Host": "127.0.0.1:1:2"}, {"Cookie": cookie}):
        status, _headers, body = production.get("/api/layers/%00/", **headers)
        assert status in (400, 404)
        assert_no_debug_page(body)


def test_a_county_office_at_once(production, django_db_blocker):
    """Twenty signed-in users ask for the villages layer at the same moment: all answered."""
    cookie = production.sign_in("official")
    start, results = threading.Barrier(USERS), [None] * USERS

    def ask(i):
        start.wait()
        results[i] = production.get("/api/layers/villages/", Cookie=cookie)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with django_db_blocker.unblock():
        villages = Village.objects.count()
    assert [status for status, _headers, _body in results] == [200] * USERS
    bodies = {body for _status, _headers, body in results}
    assert len(bodies) == 1
    # The sample's villages (data/sample/shangluo_divisions_2023.csv).
    assert len(json.loads(bodies.pop())["features"]) == villages == 247
