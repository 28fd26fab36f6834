"""The sample county is loaded once per test session into the test database; tests read it
inside their own transactions, which roll back."""
import pytest
from django.contrib.auth.models import Group, User

from layers.sample_county import load_sample

PASSWORD = "test-password-1"
ROLES = ("planner", "official", "analyst")


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("sample")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, sample_folder):
    with django_db_blocker.unblock():
        load_sample(sample_folder)
        for role in ROLES:
            user = User.objects.create_user(role, password=PASSWORD, is_staff=role == "planner")
            user.groups.add(Group.objects.get(name=role))
        User.objects.create_superuser("admin", password=PASSWORD)


@pytest.fixture
def sample(db):
    """Marks a test that reads the sample county."""


@pytest.fixture(params=ROLES + ("admin",))
def role_client(request, client, db):
    client.force_login(User.objects.get(username=request.param))
    client.role = request.param
    return client
