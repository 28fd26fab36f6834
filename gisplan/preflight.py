"""The one check that runs before a management command: can the database serve gisplan?

Without it, a stopped server or a database without PostGIS surfaces as a long traceback from
deep inside Django; here it is one line that says what to do.
"""
import psycopg2

# Commands that never touch the database.
WITHOUT_DATABASE = {"help", "version", "compilemessages", "makemessages", "collectstatic",
                    "makemigrations", "check"}


def needs_database(argv):
    command = argv[1] if len(argv) > 1 else "help"
    return command not in WITHOUT_DATABASE and not {"-h", "--help"} & set(argv[2:])


def database_problem(db):
    """A sentence describing why database settings `db` cannot serve gisplan, or None."""
    where = f"{db.get('NAME')} at {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    try:
        connection = psycopg2.connect(dbname=db.get("NAME"), user=db.get("USER"),
                                      password=db.get("PASSWORD"), host=db.get("HOST"),
                                      port=db.get("PORT") or None, connect_timeout=5)
    except psycopg2.OperationalError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no answer"
        return (f"cannot connect to the database {where} ({reason}); start PostgreSQL "
                f"('make setup' does) or point DATABASE_URL at a running server")
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
