"""How a script or a desktop GIS authenticates without a browser's session.

- On /api/ and /ogc/: `Authorization: Bearer <token>`.
- On /ogc/ only: HTTP Basic, the user name and a token as the password (what QGIS's
  authentication configurations send). Only there, so that a browser whose session ended is
  never asked for a Basic login on the application's own pages. Basic attempts are sign-ins to
  axes: wrong ones count towards the lock-out of that user at that address, as on the sign-in
  page.

A request that names a token acts as the token's user, with that user's role and region, and
nothing more; its session cookie, if it sends one, is ignored. A token is not a cookie the
browser sends by itself, so such a request needs no CSRF token. A wrong, revoked or expired
token is a 401 at once: never a fall back to the session.
"""
import base64
import binascii

from django.contrib.auth import authenticate
from django.contrib.auth.backends import BaseBackend
from django.utils.translation import gettext as _

from gisplan.api import API_CHALLENGE, error

from .models import ApiToken

BEARER_PATHS = ("/api/", "/ogc/")
BASIC_PATHS = ("/ogc/",)


def challenge(path):
    """The WWW-Authenticate header of a 401 at `path` (RFC 9110 §11.6.1)."""
    if path.startswith(BASIC_PATHS):
        return 'Bearer realm="gisplan", Basic realm="gisplan", charset="UTF-8"'
    return API_CHALLENGE


def unauthorized(request, message):
    response = error(401, message)
    response["WWW-Authenticate"] = challenge(request.path_info)
    return response


class TokenAuthenticationMiddleware:
    """Sets `request.user` from a token (after Django's AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
        scheme, path = scheme.lower(), request.path_info
        if scheme == "bearer" and path.startswith(BEARER_PATHS):
            user = ApiToken.objects.holder(credentials.strip())
        elif scheme == "basic" and path.startswith(BASIC_PATHS):
            user = _basic(request, credentials.strip())
            if getattr(request, "axes_locked_out", False):
                return error(429, _("too many wrong tokens for this user from this address; "
                                    "try again later"))
        else:
            return self.get_response(request)
        if user is None:
            return unauthorized(request, _("the token is wrong, revoked or expired"))
        request.user = user
        request._dont_enforce_csrf_checks = True  # noqa: SLF001  Django's own switch for this
        return self.get_response(request)


def _basic(request, credentials):
    try:
        name, _colon, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not name or not secret:
        return None
    return authenticate(request, username=name, token=secret)


class TokenBackend(BaseBackend):
    """Authenticates a user name and a token (HTTP Basic on /ogc/), through Django's
    authenticate() so that axes counts the failures. Grants no permission of its own."""

    def authenticate(self, request, username=None, token=None):
        if username is None or token is None:
            return None
        user = ApiToken.objects.holder(token)
        return user if user is not None and user.get_username() == username else None
