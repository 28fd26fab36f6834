"""Backups: the database (pg_dump, custom format) and the rasters it refers to, in one tar file.

A backup is `gisplan-<date>-<time>.tar` holding `database.dump`, the raster files under `data/`
(those under DATA_DIR, by their path below it) or `external/` (any other, by its absolute path),
and `manifest.json`: when, the database's name, PostgreSQL and PostGIS versions, the applied
migrations, the rows of every table and the sha256 of every member. A backup that holds
personal data (the household register) is sealed with the key in GISPLAN_BACKUP_KEY
(`gisplan-<date>-<time>.tar.age`, encryption.py) and is refused without one; restoring it
needs that key. Restoring checks every
checksum before it changes anything, restores the database in one transaction, puts the rasters
under the target's DATA_DIR (rewriting RasterLayer paths that moved) and counts the rows again.

The PostgreSQL client tools (pg_dump, pg_restore, psql) of the server's major version do the
work; the password reaches them in PGPASSWORD, never on a command line.
"""
import contextlib
import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import dj_database_url
import psycopg2
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from psycopg2 import sql

from gisplan.api import Refusal
from layers.models import RasterLayer

from . import encryption

FORMAT = "gisplan-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEMBER_ROOTS = (DUMP, "data", "external")
# Folders of DATA_DIR whose files are derived from the others and rebuilt on demand (the siting
# criteria and suitability surfaces): a RasterLayer pointing there is restored, its file is not.
DERIVED_FOLDERS = ("criteria", "suitability")
CHUNK = 1 << 20


class BackupError(Refusal):
    """A backup or restore that cannot be done; the message says why in one line."""


@dataclasses.dataclass(frozen=True)
class Database:
    """How to reach a PostgreSQL database, for psycopg2 and for the client tools."""

    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, settings_dict):
        """From a Django DATABASES entry (e.g. `django.db.connection.settings_dict`)."""
        return cls(name=settings_dict["NAME"], user=settings_dict.get("USER") or "",
                   password=settings_dict.get("PASSWORD") or "",
                   host=settings_dict.get("HOST") or "", port=str(settings_dict.get("PORT") or ""),
                   sslmode=(settings_dict.get("OPTIONS") or {}).get("sslmode", ""))

    @classmethod
    def from_url(cls, url):
        try:
            return cls.from_settings(dj_database_url.parse(url))
        except ValueError as error:
            raise BackupError(_("Not a database URL: %(url)s (%(error)s)")
                              % {"url": url, "error": error}) from None

    def environment(self):
        """The environment for pg_dump, pg_restore and psql: the libpq variables, no arguments."""
        env = {**os.environ, "PGDATABASE": self.name}
        for variable, value in (("PGUSER", self.user), ("PGPASSWORD", self.password),
                                ("PGHOST", self.host), ("PGPORT", self.port),
                                ("PGSSLMODE", self.sslmode)):
            if value:
                env[variable] = value
        return env

    def connect(self):
        params = {"dbname": self.name, "user": self.user, "password": self.password,
                  "host": self.host, "port": self.port, "sslmode": self.sslmode}
        try:
            return psycopg2.connect(**{key: value for key, value in params.items() if value})
        except psycopg2.OperationalError as error:
            raise BackupError(_("Cannot connect to the database %(name)s: %(error)s")
                              % {"name": self.name, "error": _first_line(str(error))}) from None


@dataclasses.dataclass(frozen=True)
class BackupOptions:
    out_dir: Path
    database: Database
    data_dir: Path
    # An age identity: the backup is sealed for it (GISPLAN_BACKUP_KEY); never in a repr.
    key: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    manifest: dict


@dataclasses.dataclass(frozen=True)
class RestoreOptions:
    archive: Path
    database: Database
    data_dir: Path
    overwrite: bool = False
    key: str | None = dataclasses.field(default=None, repr=False)  # opens a sealed backup


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    database: str
    tables: int
    rows: int
    files: int
    notes: tuple


# Raw SQL in this module: it reads the whole database in one snapshot shared with pg_dump, and
# the target of a restore, which need not be Django's connection at all.

# The tables that hold data: every table outside the system schemas that no extension owns
# (PostGIS's spatial_ref_sys is the extension's).
TABLES_SQL = """
    SELECT n.nspname, c.relname, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
    ORDER BY n.nspname, c.relname
"""
TABLE_KINDS = ("r", "p")
# The functions of the schema (the layers' data-version trigger's), which a restore replaces too.
FUNCTIONS_SQL = """
    SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')
"""
# The layers' data version (layers.DataVersion) after a restore: above any it had before, so
# that no tile cached or held by a browser under a version is taken for the restored data's
# (the clock in milliseconds; between restores the version grows by one a change).
RESTORED_DATA_VERSION = """
DO $$ BEGIN
    IF to_regclass('layers_dataversion') IS NOT NULL THEN
        UPDATE layers_dataversion SET version = (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    END IF;
END $$;"""
EXTENSION_TABLES_SQL = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    WHERE c.relkind IN ('r', 'p')
"""


def backup(options):
    """Write one backup into options.out_dir and return where, its size and its manifest.

    The dump and the row counts come from one snapshot of the database; the archive is written
    under a temporary name and renamed when complete, so a failure leaves nothing behind. With
    a key the dump and the tar are made in the machine's own temporary folder, and only the
    sealed file is written into out_dir.
    """
    key = None if options.key is None else encryption.checked_key(options.key)
    out_dir = Path(options.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = timezone.localtime()
    work = Path(tempfile.mkdtemp(prefix=".gisplan-backup-", dir=None if key else out_dir))
    sealed = None
    try:
        connection = options.database.connect()
        try:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                manifest = _describe(cursor, options.database.name, now)
                if key is None and encryption.personal_rows(manifest["tables"]):
                    raise BackupError(_("The database holds personal data (the household "
                                        "register): set GISPLAN_BACKUP_KEY to an age key "
                                        "(age-keygen) to write the backup encrypted"))
                raster_paths = _raster_paths(cursor)
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={work / DUMP}"],
                 options.database)
        finally:
            connection.close()
        manifest["pg_dump"] = _run(["pg_dump", "--version"], options.database).strip()
        partial = work / "backup.tar"
        with open(partial, "wb") as stream:
            with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive:
                manifest["dump"] = _add(archive, work / DUMP, DUMP)
                manifest["data_dir"] = str(options.data_dir)
                manifest["files"], manifest["skipped"], manifest["missing"] = [], [], []
                for path in raster_paths:
                    member = _member_for(Path(path), Path(options.data_dir))
                    if member is None:
                        manifest["skipped"].append(path)
                    elif not Path(path).is_file():
                        manifest["missing"].append(path)
                    else:
                        manifest["files"].append({"path": path, **_add(archive, Path(path), member)})
                body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(body), int(now.timestamp())
                archive.addfile(info, io.BytesIO(body))
            stream.flush()
            os.fsync(stream.fileno())
        if key is not None:
            descriptor, name = tempfile.mkstemp(prefix=".gisplan-backup-", dir=out_dir)
            os.close(descriptor)
            sealed = Path(name)
            encryption.encrypt(partial, sealed, key)
            partial = sealed
        target = _free_name(out_dir, f"gisplan-{now:%Y%m%d-%H%M%S}",
                            ".tar" + (encryption.SUFFIX if key is not None else ""))
        os.replace(partial, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if sealed is not None:
            sealed.unlink(missing_ok=True)
    return BackupResult(target, target.stat().st_size, manifest)


def restore(options):
    """Restore a backup into options.database and options.data_dir, then check it.

    Nothing changes unless every checksum of the archive matches and the database is empty (or
    options.overwrite); the database is emptied and restored in one transaction.
    """
    archive_path = Path(options.archive)
    if not archive_path.is_file():
        raise BackupError(_("No backup file at %(path)s") % {"path": archive_path})
    data_dir = Path(options.data_dir)
    with _opened(archive_path, options.key, data_dir) as plain, _open_archive(plain) as archive:
        manifest = _read_manifest(archive, archive_path)
        connection = options.database.connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                existing = _relations(cursor)
            if existing and not options.overwrite:
                count = _count_tables(existing)
                raise BackupError(ngettext(
                    "The database %(name)s is not empty (%(count)d table): restore with --yes "
                    "to replace everything in it",
                    "The database %(name)s is not empty (%(count)d tables): restore with --yes "
                    "to replace everything in it", count) % {"name": options.database.name,
                                                             "count": count})
            data_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".gisplan-restore-", dir=data_dir))
            try:
                _extract(archive, archive_path, manifest, staging)
                moves = [(staging / entry["member"], _restored_path(entry["member"], data_dir))
                         for entry in manifest["files"]]
                _refuse_to_replace_files(moves, options.overwrite)
                _restore_database(staging / DUMP, options.database, existing,
                                  _remapped_paths(manifest, data_dir), connection)
                for source, target in moves:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            with connection.cursor() as cursor:
                counts = _row_counts(cursor, _relations(cursor))
        finally:
            connection.close()
    return _verify(manifest, [target for _source, target in moves], counts,
                   options.database.name)


def _describe(cursor, name, now):
    """The manifest's account of the database, read in the cursor's snapshot."""
    cursor.execute("SHOW server_version")
    server = cursor.fetchone()[0]
    cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
    postgis = cursor.fetchone()
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    migrations = {}
    if cursor.fetchone()[0]:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, migration in cursor.fetchall():
            migrations.setdefault(app, []).append(migration)
    return {"format": FORMAT, "version": VERSION, "created": now.isoformat(), "database": name,
            "postgresql": server, "postgis": postgis[0] if postgis else None,
            "migrations": migrations, "tables": _row_counts(cursor, _relations(cursor))}


def _raster_paths(cursor):
    table, column = RasterLayer._meta.db_table, RasterLayer._meta.get_field("path").column
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    if not cursor.fetchone()[0]:
        return []
    cursor.execute(sql.SQL("SELECT DISTINCT {} FROM {} ORDER BY 1").format(
        sql.Identifier(column), sql.Identifier(table)))
    return [row[0] for row in cursor.fetchall()]


def _relations(cursor):
    cursor.execute(TABLES_SQL)
    return cursor.fetchall()


def _count_tables(relations):
    return sum(1 for _schema, _name, kind in relations if kind in TABLE_KINDS)


def _row_counts(cursor, relations):
    counts = {}
    for schema, name, kind in relations:
        if kind in TABLE_KINDS:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)))
            counts[f"{schema}.{name}"] = cursor.fetchone()[0]
    return counts


def _member_for(path, data_dir):
    """The archive name of a raster file: `data/…` below DATA_DIR, `external/…` elsewhere, or
    None for a derived file that is not kept."""
    path = path.absolute()
    if path.is_relative_to(data_dir):
        relative = path.relative_to(data_dir)
        if relative.parts and relative.parts[0] in DERIVED_FOLDERS:
            return None
        return str(PurePosixPath("data", *relative.parts))
    return str(PurePosixPath("external", *path.parts[1:]))


def _restored_path(member, data_dir):
    """Where a raster of the archive goes: below the target's DATA_DIR."""
    parts = PurePosixPath(member).parts
    if parts[0] == "data":
        return data_dir.joinpath(*parts[1:])
    return data_dir.joinpath("external", *parts[1:])


def _remapped_paths(manifest, data_dir):
    """{path in the backup: path after the restore} of every RasterLayer path that moves."""
    source_dir = Path(manifest["data_dir"])
    moved = {entry["path"]: str(_restored_path(entry["member"], data_dir))
             for entry in manifest["files"]}
    for path in manifest["skipped"] + manifest["missing"]:
        if Path(path).is_relative_to(source_dir):
            moved[path] = str(data_dir / Path(path).relative_to(source_dir))
    return {old: new for old, new in moved.items() if old != new}


def _add(archive, path, member):
    """Add a file to the archive, hashing it as it is read; return its member, size and sha256."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        info = archive.gettarinfo(fileobj=stream, arcname=member)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        archive.addfile(info, _HashingReader(stream, digest))
    return {"member": member, "size": info.size, "sha256": digest.hexdigest()}


class _HashingReader:
    def __init__(self, stream, digest):
        self.stream, self.digest = stream, digest

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _free_name(folder, stem, suffix):
    target, n = folder / f"{stem}{suffix}", 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    return target


@contextlib.contextmanager
def _opened(path, key, data_dir):
    """The backup's tar file: `path` itself, or a sealed backup opened with `key` into a
    temporary file (under `data_dir`, removed afterwards)."""
    if not encryption.is_encrypted(path):
        yield path
        return
    if key is None:
        raise BackupError(_("%(path)s is encrypted: set GISPLAN_BACKUP_KEY to the key it was "
                            "written with") % {"path": path})
    key = encryption.checked_key(key)
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".gisplan-open-", dir=data_dir))
    try:
        encryption.decrypt(path, folder / "backup.tar", key)
        yield folder / "backup.tar"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _open_archive(path):
    """The backup open for reading; a damaged tar file raises a BackupError that says so."""
    try:
        with tarfile.open(path, mode="r:") as archive:
            yield archive
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(_("%(path)s is damaged or is not a gisplan backup: %(error)s")
                          % {"path": path, "error": error}) from None


def _read_manifest(archive, archive_path):
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("%(path)s is damaged or is not a gisplan backup: it has no manifest")
                          % {"path": archive_path})
    if manifest.get("version") != VERSION:
        raise BackupError(_("%(path)s is a backup of format %(version)s, which this version of "
                            "gisplan cannot read") % {"path": archive_path,
                                                      "version": manifest.get("version")})
    return manifest


def _extract(archive, archive_path, manifest, staging):
    """Copy the dump and the rasters into staging, checking each one's size and sha256."""
    for entry in [manifest["dump"], *manifest["files"]]:
        member = PurePosixPath(entry["member"])
        if member.is_absolute() or ".." in member.parts or member.parts[0] not in MEMBER_ROOTS:
            raise BackupError(_("%(path)s is damaged: %(member)s is not a name it may hold")
                              % {"path": archive_path, "member": entry["member"]})
        try:
            source = archive.extractfile(entry["member"])
        except KeyError:
            source = None
        if source is None:
            raise BackupError(_("%(path)s is damaged: %(member)s is missing")
                              % {"path": archive_path, "member": entry["member"]})
        target = staging / member
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(_("%(path)s is damaged: the checksum of %(member)s does not match "
                                "its manifest") % {"path": archive_path, "member": entry["member"]})


def _refuse_to_replace_files(moves, overwrite):
    for source, target in moves:
        if overwrite or not target.exists() or _sha256(target) == _sha256(source):
            continue
        raise BackupError(_("%(path)s exists and differs from the backup's copy: restore with "
                            "--yes to replace it") % {"path": target})


def _restore_database(dump, database, existing, remapped, connection):
    """Empty the database (when it has tables) and restore the dump in one psql transaction.

    pg_restore writes the SQL and psql runs it; were pg_restore to stop half-way, psql is killed
    before it sees the end of its input, so the transaction is never committed.
    """
    with connection.cursor() as cursor:
        # pg_dump records the comment on the PostGIS extension and the rows of its
        # spatial_ref_sys, which only the extension's owner (often postgres) may set again when
        # the target has the extension already; CREATE EXTENSION IF NOT EXISTS stays.
        cursor.execute(EXTENSION_TABLES_SQL)
        owned = {f" TABLE DATA {schema} {name} " for schema, name in cursor.fetchall()}
        toc = _run(["pg_restore", "--list", str(dump)], database)
        listing = dump.with_suffix(".list")
        listing.write_text("".join(
            line for line in toc.splitlines(keepends=True)
            if " COMMENT - EXTENSION " not in line and not any(entry in line for entry in owned)))
        prelude = ["SET client_min_messages = warning;"]
        for schema, name, kind in existing:
            keyword = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}.get(kind, "TABLE")
            prelude.append(sql.SQL("DROP {} IF EXISTS {}.{} CASCADE;").format(
                sql.SQL(keyword), sql.Identifier(schema), sql.Identifier(name)).as_string(cursor))
        cursor.execute(FUNCTIONS_SQL)
        for schema, name, arguments in cursor.fetchall():
            prelude.append(sql.SQL("DROP FUNCTION IF EXISTS {}.{}({}) CASCADE;").format(
                sql.Identifier(schema), sql.Identifier(name), sql.SQL(arguments)).as_string(cursor))
        postlude = ["RESET search_path;", RESTORED_DATA_VERSION]
        table = RasterLayer._meta.db_table
        column = RasterLayer._meta.get_field("path").column
        for old, new in remapped.items():
            postlude.append(sql.SQL("UPDATE {} SET {} = {} WHERE {} = {};").format(
                sql.Identifier(table), sql.Identifier(column), sql.Literal(new),
                sql.Identifier(column), sql.Literal(old)).as_string(cursor))
    (dump.parent / "prelude.sql").write_text("\n".join(prelude) + "\n")
    (dump.parent / "postlude.sql").write_text("\n".join(postlude) + "\n")
    env = database.environment()
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        writer = _start(["pg_restore", "--no-owner", "--no-privileges", f"--use-list={listing}",
                         "--file=-", str(dump)], env, stdout=subprocess.PIPE,
                        stderr=restore_errors)
        try:
            runner = _start(["psql", "--no-psqlrc", "--quiet", "--single-transaction",
                             "--set=ON_ERROR_STOP=1", f"--file={dump.parent / 'prelude.sql'}",
                             "--file=-", f"--file={dump.parent / 'postlude.sql'}"], env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors)
        except BackupError:
            writer.kill()
            writer.wait()
            raise
        stopped = False
        try:
            shutil.copyfileobj(writer.stdout, runner.stdin, CHUNK)
        except BrokenPipeError:  # psql stopped at an error, reported below; pg_restore is
            stopped = True       # stopped too, or it would wait on a pipe nobody reads
            writer.kill()
        if writer.wait() != 0 and not stopped:
            runner.kill()
            runner.wait()
            raise BackupError(_("%(tool)s failed: %(error)s")
                              % {"tool": "pg_restore", "error": _first_error(restore_errors)})
        try:
            runner.stdin.close()
        except BrokenPipeError:
            pass
        if runner.wait() != 0:
            raise BackupError(_("The restore failed and was rolled back: %(error)s")
                              % {"error": _first_error(psql_errors)})


def _verify(manifest, paths, counts, name):
    """Compare the restored database and files with the manifest."""
    problems = [_("%(table)s has %(found)d rows, the backup %(expected)d")
                % {"table": table, "found": counts.get(table, 0), "expected": expected}
                for table, expected in manifest["tables"].items() if counts.get(table) != expected]
    problems += [_("%(table)s is not in the backup") % {"table": table}
                 for table in counts.keys() - manifest["tables"].keys()]
    for path, entry in zip(paths, manifest["files"]):
        if _sha256(path) != entry["sha256"]:
            problems.append(_("%(path)s does not match the backup") % {"path": path})
    if problems:
        raise BackupError(_("The restored data differ from the backup: %(problems)s")
                          % {"problems": "; ".join(problems)})
    notes = [_("%(path)s was missing when the backup was made") % {"path": path}
             for path in manifest["missing"]]
    applied = {(app, migration) for app, names in manifest["migrations"].items()
               for migration in names}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    pending = [key for key, migration in loader.graph.nodes.items() if key not in applied
               and not (migration.replaces and set(migration.replaces) <= applied)]
    unknown = applied - loader.disk_migrations.keys()
    if pending:
        notes.append(ngettext(
            "The backup predates %(count)d migration of this code: run `manage.py migrate`",
            "The backup predates %(count)d migrations of this code: run `manage.py migrate`",
            len(pending)) % {"count": len(pending)})
    if unknown:
        notes.append(ngettext(
            "The backup was made by a newer version of gisplan (%(count)d migration unknown here)",
            "The backup was made by a newer version of gisplan (%(count)d migrations unknown "
            "here)", len(unknown)) % {"count": len(unknown)})
    return RestoreResult(name, len(counts), sum(counts.values()), len(paths), tuple(notes))


def _run(command, database):
    """Run a PostgreSQL client tool and return its output, or say in one line why it failed."""
    try:
        done = subprocess.run(command, env=database.environment(), capture_output=True, text=True)
    except FileNotFoundError:
        raise _missing_tool(command[0]) from None
    if done.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s")
                          % {"tool": command[0], "error": _last_line(done.stderr)})
    return done.stdout


def _start(command, env, **streams):
    try:
        return subprocess.Popen(command, env=env, **streams)
    except FileNotFoundError:
        raise _missing_tool(command[0]) from None


def _missing_tool(tool):
    return BackupError(_("%(tool)s was not found: install the PostgreSQL client tools of the "
                         "server's version (Debian 12: postgresql-client-15)") % {"tool": tool})


def _first_error(stream):
    """The first error line a tool wrote to the stream (a file), or its last line."""
    stream.seek(0)
    lines = stream.read().decode(errors="replace").splitlines()
    errors = [line for line in lines if "ERROR" in line or "error" in line]
    return _last_line("\n".join(errors[:1] or lines))


def _last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else _("no message")


def _first_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else _("no message")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
