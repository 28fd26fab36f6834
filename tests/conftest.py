"""The test database is made once per session with the sample county and a user per role;
tests read it inside their own transactions, which roll back."""
import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import caches
from django.db import connection
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings, setup_databases, teardown_databases
from django.utils import translation

from data.load import load_sample

PASSWORD = "test-password-1"
ROLES = ("planner", "official", "analyst", "administrator")
STAFF = ("planner", "administrator")


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory):
    """What the tests write under GISPLAN_DATA_DIR (uploads waiting for a job, siting criteria
    and surfaces) goes to a folder of the session's, not to the checkout's var/."""
    with override_settings(DATA_DIR=tmp_path_factory.mktemp("data")):
        yield


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("sample")


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, sample_folder):
    # pytest-django makes a test database only when some collected test is marked for one;
    # the browser tests reach it through a live server instead, so make it in every session.
    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        assert connection.settings_dict["NAME"].startswith("test_"), "not a test database"
        load_sample(sample_folder)
        for role in ROLES:
            user = User.objects.create_user(role, password=PASSWORD, is_staff=role in STAFF)
            user.groups.add(Group.objects.get(name=role))
        User.objects.create_superuser("admin", password=PASSWORD)
    yield
    with django_db_blocker.unblock():
        # The live server's request threads may still hold connections to the test database.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        teardown_databases(databases, verbosity=0)


@pytest.fixture(scope="module", autouse=True)
def vacuumed(django_db_blocker):
    """After each module, the tables that tests left with more dead rows than a quarter of the
    live ones are vacuumed and analysed. A test's writes are rolled back, but their rows stay
    behind, dead, until a vacuum (a recount rewrites every village; an import, the register):
    on a server without autovacuum, as CI's is, the villages table reached a hundred dead rows
    to each live one and every later test that read it ran ten times slower."""
    yield
    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # no test of the module used the database
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # Raw SQL: VACUUM, and the statistics collector's counts, have no ORM form.
        cursor.execute("SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables "
                       "WHERE n_dead_tup > 1000 AND n_dead_tup > n_live_tup / 4")
        for (table,) in cursor.fetchall():
            cursor.execute(f"VACUUM ANALYZE {table}")


@pytest.fixture
def sample(db):
    """Marks a test that reads the sample county."""


@pytest.fixture(autouse=True)
def tiles_forgotten():
    """Tiles are cached under the version of the data, which a test may raise inside its
    transaction and so hand on to the next test: each test starts without cached tiles."""
    yield
    caches["tiles"].clear()


@pytest.fixture
def english(client):
    """Messages in English, in the code under test and in the test client's requests, so that
    tests can read them whatever the site's default language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def log_in(client, username):
    """`client` signed in as `username`, reading English."""
    client.force_login(User.objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(params=ROLES + ("admin",))
def role_client(request, client, db):
    client.force_login(User.objects.get(username=request.param))
    client.role = request.param
    return client


@pytest.fixture(scope="module")
def app_server(django_db_setup, django_db_blocker):
    """The application on a free local port, reading the session's test database.

    Not pytest-django's live_server: that one flushes the database after each test, and with it
    the sample county the other tests read.
    """
    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        thread.url = f"http://127.0.0.1:{thread.port}"
        yield thread
        thread.terminate()
