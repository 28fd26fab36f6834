from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

# One demo user per role, and an administrator. For demonstrations only: the passwords are
# printed in README.md.
DEMO_USERS = {
    "planner": ("planner", "planner-demo", True),
    "official": ("official", "official-demo", False),
    "analyst": ("analyst", "analyst-demo", False),
}


class Command(BaseCommand):
    help = "Create the demo users (admin, planner, official, analyst); existing ones are reset."

    def handle(self, *args, **options):
        User = get_user_model()
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password("admin-demo")
        admin.save()
        for role, (username, password, staff) in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff, user.is_superuser = staff, False
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        self.stdout.write("Demo users: admin, planner, official, analyst (see README.md)")
