from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from layers.models import UserRegion

# For demonstrations only (README.md prints the passwords):
# user -> (password, role, staff, region: Luonan 611021, Shangluo city 6110, Shaanxi 61).
DEMO_USERS = {
    "admin": ("admin-demo", None, True, None),
    "planner": ("planner-demo", "planner", True, "611021"),
    "official": ("official-demo", "official", False, "611021"),
    "analyst": ("analyst-demo", "analyst", False, "611021"),
    "county_admin": ("county-admin-demo", "administrator", True, "611021"),
    "shangluo_official": ("shangluo-demo", "official", False, "6110"),
    "shangluo_analyst": ("shangluo-demo", "analyst", False, "6110"),
    "shaanxi_official": ("shaanxi-demo", "official", False, "61"),
}


def create_demo_users():
    """Create the demo users that are missing; existing users are left as they are."""
    User = get_user_model()
    created = []
    for username, (password, role, staff, region) in DEMO_USERS.items():
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username, password=password, is_staff=staff,
                                        is_superuser=role is None)
        if role:
            user.groups.add(Group.objects.get(name=role))
        if region:
            UserRegion.objects.create(user=user, code=region)
        created.append(username)
    return created


class Command(BaseCommand):
    help = ("Create the demo users (missing ones only): admin; Luonan's planner, official, "
            "analyst and administrator; Shangluo city's official and analyst; Shaanxi's official.")

    def handle(self, *args, **options):
        created = create_demo_users()
        self.stdout.write(f"Created demo users: {', '.join(created)}" if created
                          else "The demo users exist already.")
