"""Encrypted backups: a backup that holds personal data is sealed with age (age-encryption.org,
Debian's `age`), for the key in GISPLAN_BACKUP_KEY, and restoring it needs that key.

The key is an age identity (`age-keygen` prints one: AGE-SECRET-KEY-1…). A backup is sealed
for its public recipient and opened with the identity; age authenticates what it decrypts, so
a wrong key or a changed byte is refused, never half restored. The key reaches age in a file
of the process's own temporary folder, readable by its owner only, never on a command line.
"""
import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from gisplan.api import Refusal

MAGIC = b"age-encryption.org/v1\n"
SUFFIX = ".age"
KEY_PREFIX = "AGE-SECRET-KEY-1"
# The tables of the household register that hold names, ID numbers and phone numbers.
PERSONAL_TABLES = ("households_household", "households_member", "households_cadre")


class SealError(Refusal):
    """A key that is not one, or a backup it does not open; the message says which."""


def checked_key(key):
    """`key` stripped, or a SealError when it is not an age identity."""
    key = (key or "").strip()
    if not key.startswith(KEY_PREFIX) or any(c.isspace() for c in key):
        raise SealError(_("GISPLAN_BACKUP_KEY is not an age key: make one with age-keygen and "
                          "set the line AGE-SECRET-KEY-1…"))
    return key


def personal_rows(tables):
    """How many rows of personal data a manifest's table counts ({"schema.table": rows})
    hold."""
    return sum(rows for name, rows in tables.items() if name.split(".")[-1] in PERSONAL_TABLES)


def is_encrypted(path):
    with open(path, "rb") as stream:
        return stream.read(len(MAGIC)) == MAGIC


def encrypt(plain, sealed, key):
    """Seal the file `plain` into `sealed` for `key`'s recipient."""
    # age-keygen's complaint about a malformed key may quote part of it: not passed on.
    recipient = _age(["age-keygen", "-y"], key + "\n",
                     failed=_("GISPLAN_BACKUP_KEY is not a valid age key")).strip()
    _age(["age", "--encrypt", "--recipient", recipient, "--output", str(sealed), str(plain)])


def decrypt(sealed, plain, key):
    """Open the sealed file into `plain` with `key`; SealError when the key does not open it."""
    with _identity_file(key) as identity:
        _age(["age", "--decrypt", "--identity", str(identity), "--output", str(plain),
              str(sealed)], failed=_("the key in GISPLAN_BACKUP_KEY does not open this backup "
                                     "(or the file was changed)"))


@contextlib.contextmanager
def _identity_file(key):
    folder = Path(tempfile.mkdtemp(prefix="gisplan-key-"))
    path = folder / "identity"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(key + "\n")
        yield path
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()


def _age(command, stdin=None, failed=None):
    """Run age or age-keygen; a failure is a SealError saying `failed` (default: the tool's
    last line)."""
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, text=True)
    except FileNotFoundError:
        raise SealError(_("%(tool)s was not found: install Debian's age package")
                        % {"tool": command[0]}) from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        raise SealError(failed or _("%(tool)s failed: %(error)s")
                        % {"tool": command[0], "error": lines[-1] if lines else "?"})
    return done.stdout
