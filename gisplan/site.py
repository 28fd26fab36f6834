"""What the site serves outside any app: its icon, which every browser asks for at /favicon.ico."""
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse
from django.views.decorators.http import require_GET

ICON = Path(__file__).with_name("favicon.ico")


@login_not_required  # the sign-in page has the icon too
@require_GET
def favicon(request):
    response = FileResponse(open(ICON, "rb"), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response
