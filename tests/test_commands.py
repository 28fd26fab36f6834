"""The sample county's commands (load_sample, import_layer, export_layer), run as a user runs them."""
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from layers.models import County


def test_load_sample_leaves_an_up_to_date_sample_alone(sample, capsys):
    call_command("load_sample", verbosity=0)
    assert "Already loaded the sample county" in capsys.readouterr().out


def test_load_sample_refuses_to_replace_a_real_county(sample):
    County.objects.update(synthetic=False)
    with pytest.raises(CommandError, match="--reset would replace it"):
        call_command("load_sample", verbosity=0)
    assert County.objects.filter(synthetic=False).count() == 1  # nothing was touched


def test_create_demo_users_adds_the_missing_ones_only(db):
    User.objects.filter(username="official").update(password="unchanged")
    call_command("create_demo_users")
    # The session's users (planner, official, analyst, admin) exist already: untouched.
    assert User.objects.get(username="official").password == "unchanged"
    User.objects.filter(username="analyst").delete()
    call_command("create_demo_users")
    analyst = User.objects.get(username="analyst")
    assert analyst.check_password("analyst-demo")
    assert list(analyst.groups.values_list("name", flat=True)) == ["analyst"]
