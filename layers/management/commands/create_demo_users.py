from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

# For demonstrations only (README.md prints the passwords): user -> (password, role, staff).
DEMO_USERS = {
    "admin": ("admin-demo", None, True),
    "planner": ("planner-demo", "planner", True),
    "official": ("official-demo", "official", False),
    "analyst": ("analyst-demo", "analyst", False),
}


def create_demo_users():
    """Create the demo users that are missing; existing users are left as they are."""
    User = get_user_model()
    created = []
    for username, (password, role, staff) in DEMO_USERS.items():
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username, password=password, is_staff=staff,
                                        is_superuser=role is None)
        if role:
            user.groups.add(Group.objects.get(name=role))
        created.append(username)
    return created


class Command(BaseCommand):
    help = "Create the demo users admin, planner, official and analyst (missing ones only)."

    def handle(self, *args, **options):
        created = create_demo_users()
        self.stdout.write(f"Created demo users: {', '.join(created)}" if created
                          else "The demo users exist already.")
