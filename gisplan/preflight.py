"""The one check that runs before a management command: can the database serve gisplan?

`python -m gisplan.preflight` runs it alone (make test does, before pytest).

Without it, a stopped server or a database without PostGIS surfaces as a long traceback from
deep inside Django; here it is one line that says what to do.
"""
import os
import sys

import psycopg2

# Django's own OPTIONS for PostgreSQL, which are not libpq connection parameters.
DJANGO_ONLY_OPTIONS = {"isolation_level", "assume_role", "server_side_binding", "pool"}
# Commands that never touch the database.
WITHOUT_DATABASE = {"help", "version", "compilemessages", "makemessages", "collectstatic",
                    "makemigrations", "check"}


def needs_database(argv):
    command = argv[1] if len(argv) > 1 else "help"
    return (command not in WITHOUT_DATABASE and not command.startswith("-")
            and not {"-h", "--help"} & set(argv[2:]))


def database_problem(db):
    """A sentence describing why database settings `db` cannot serve gisplan, or None."""
    where = f"{db.get('NAME')} at {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    try:
        connection = psycopg2.connect(dbname=db.get("NAME"), user=db.get("USER"),
                                      password=db.get("PASSWORD"), host=db.get("HOST"),
                                      port=db.get("PORT") or None, connect_timeout=5,
                                      **{k: v for k, v in db.get("OPTIONS", {}).items()
                                         if k not in DJANGO_ONLY_OPTIONS})
    except psycopg2.OperationalError as error:
        reason = " ".join(str(error).split()) or "no answer"
        if "refused" in reason or "timeout" in reason or "No such file" in reason:
            advice = "start PostgreSQL ('make setup' does) or point DATABASE_URL at a running server"
        else:
            advice = "check the name, user and password in DATABASE_URL"
        return f"cannot connect to the database {where} ({reason}); {advice}"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            if cursor.fetchone() is None:
                return (f"the database {where} has no PostGIS extension; as a superuser run "
                        f"CREATE EXTENSION postgis; in it ('make setup' does this for the "
                        f"local database)")
    finally:
        connection.close()
    return None


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        problem = database_problem(settings.DATABASES["default"])
    except ImproperlyConfigured as error:
        problem = f"configuration error: {error}"
    if problem:
        sys.exit(f"gisplan: {problem}")


if __name__ == "__main__":
    main()
