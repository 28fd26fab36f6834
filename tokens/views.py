"""The profile page of a user's API tokens (/account/tokens/): make one (shown once), list
them, revoke one. Reached with a session only (a token cannot make or revoke tokens: tokens are
accepted under /api/ and /ogc/ alone)."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import NewTokenForm
from .models import ApiToken


@require_http_methods(["GET", "POST"])
def tokens(request):
    form, secret = NewTokenForm(), None
    if request.method == "POST":
        form = NewTokenForm(request.POST)
        if form.is_valid():
            _token, secret = ApiToken.objects.issue(request.user, form.cleaned_data["name"],
                                                    form.days())
            form = NewTokenForm()
    return render(request, "tokens/tokens.html", {
        "form": form, "secret": secret, "tokens": request.user.api_tokens.all(),
        "ogc_url": request.build_absolute_uri("/ogc/")})


@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        messages.success(request, _("The token %(token)s is revoked.") % {"token": token})
    return redirect("tokens:tokens")
