"""Personal API tokens: what a script or a desktop GIS sends instead of a browser's session
(`Authorization: Bearer <token>` on /api/ and /ogc/, or HTTP Basic with the token as the
password on /ogc/: tokens/authentication.py).

A token is shown once, when it is made; only its SHA-256 digest is kept (a token is 256 random
bits, so a fast digest is as safe as a slow one and lets a request find its token by index). A
token acts as its user, with the user's role and region, until it expires or is revoked."""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "gp_"  # every token begins so: a leaked one is easy to recognise in a file
DEFAULT_DAYS = 90
MAX_DAYS = 3650
# The time of last use is written at most this often: a desktop GIS asks many times a minute.
LAST_USED_EVERY = timedelta(minutes=1)


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens neither revoked nor expired, of active users."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def issue(self, user, name, days=DEFAULT_DAYS):
        """A new token of `user` valid for `days` (None: until revoked): (the row, the secret
        to show once)."""
        secret = PREFIX + secrets.token_urlsafe(32)
        expires = None if days is None else timezone.now() + timedelta(days=days)
        token = self.create(user=user, name=name, digest=digest(secret),
                            shown=secret[:len(PREFIX) + 4], expires_at=expires)
        return token, secret

    def holder(self, secret):
        """The user whose usable token `secret` is (None if none), its use recorded."""
        token = self.usable().select_related("user").filter(digest=digest(secret)).first()
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    shown = models.CharField(_("begins with"), max_length=10, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.shown}…)"

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()
