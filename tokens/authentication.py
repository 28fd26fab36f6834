"""How a script or a desktop GIS authenticates without a browser's session.

- On /api/ and /ogc/: `Authorization: Bearer <token>`.
- On /ogc/ only: HTTP Basic, the user name and a token as the password (what QGIS's
  authentication configurations send). Only there, so that a browser whose session ended is
  never asked for a Basic login on the application's pages (and /ogc/ sends a browser that
  asks for HTML to the sign-in page instead: ogc.views). Basic attempts are sign-ins to axes:
  an unknown token counts towards the lock-out of that user at that address, as a wrong
  password does; a token of that user's that expired or was revoked does not (a desktop GIS
  left with an old one would otherwise lock its user out of the sign-in page).

A request that names a token acts as the token's user, with that user's role and region, and
nothing more; it gets an empty session of its own, never saved, so a session cookie sent
with it is ignored and nothing is remembered between token requests. A token is not a cookie
the browser sends by itself, so such a request needs no CSRF token. A wrong, revoked or
expired token is a 401 at once: never a fall back to the session.
"""
import base64
from importlib import import_module

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import BaseBackend
from django.utils.translation import gettext as _

from gisplan.api import API_CHALLENGE, error

from .models import ApiToken, digest

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
        request.session = import_module(settings.SESSION_ENGINE).SessionStore()  # no key: unsaved
        request._dont_enforce_csrf_checks = True  # noqa: SLF001  Django's own switch for this
        return self.get_response(request)


def _basic(request, credentials):
    try:  # ValueError: not base64 (binascii.Error), not ASCII, not UTF-8
        name, _colon, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
    except ValueError:
        return None
    if not name or not secret or "\x00" in name + secret:
        return None
    if ApiToken.objects.filter(digest=digest(secret), user__username=name).exists() and \
            not ApiToken.objects.usable().filter(digest=digest(secret)).exists():
        return None  # the user's own token, expired or revoked: no guess
    return authenticate(request, username=name, token=secret)


class TokenBackend(BaseBackend):
    """Authenticates a user name and a token (HTTP Basic on /ogc/), through Django's
    authenticate() so that axes counts the failures. Grants no permission of its own."""

    def authenticate(self, request, username=None, token=None):
        if username is None or token is None:
            return None
        user = ApiToken.objects.holder(token)
        return user if user is not None and user.get_username() == username else None
