"""Data safety: `backup` and `restore`, run as a user runs them.

The round trip backs up the session's test database (the sample county, committed by
conftest.django_db_setup, so that pg_dump's own connection sees it), restores it into a new
database and compares every row of every table, geometries as EWKB hex, exactly. The sample
holds a household register, personal data: its backups are encrypted with an age key made for
this module (`age-keygen`), and the tests that read a backup's insides open it first.
"""
import contextlib
import io
import json
import secrets
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation
from psycopg2 import sql

from backups import encryption
from backups.archive import Database
from layers.models import County, RasterLayer, Road, Town, Village, Zone

# The sample county's rasters (data/load.py): elevation, land cover and the offline
# basemap image.
SAMPLE_RASTERS = {"dem.tif", "landcover.tif", "basemap.jpg"}


def new_key():
    """A new age identity, as `age-keygen` prints it."""
    printed = subprocess.run(["age-keygen"], capture_output=True, text=True, check=True).stdout
    return next(line for line in printed.splitlines() if line.startswith("AGE-SECRET-KEY-1"))


KEY = new_key()


def opened(archive, folder):
    """The tar file inside an encrypted backup, written into `folder`."""
    plain = Path(folder) / f"{archive.name}.tar"
    encryption.decrypt(archive, plain, KEY)
    return plain


def original_database():
    return Database.from_settings(connection.settings_dict)


@pytest.fixture(scope="module")
def new_database(django_db_setup):
    """A factory of new, empty databases on the test server (from template1, which has
    PostGIS), each dropped at the end of the module."""
    made = []

    def make():
        name = f"gisplan_restore_{secrets.token_hex(4)}"
        with _autocommit(original_database()) as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        settings_dict = {**connection.settings_dict, "NAME": name}
        url = "postgis://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(**settings_dict)
        return Database.from_settings(settings_dict), url

    yield make
    with _autocommit(original_database()) as cursor:
        for name in made:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@contextlib.contextmanager
def _autocommit(database):
    """A cursor on its own connection, each statement committed (CREATE DATABASE needs it)."""
    connection_ = database.connect()
    connection_.autocommit = True
    try:
        yield connection_.cursor()
    finally:
        connection_.close()


@pytest.fixture(scope="module")
def round_trip(django_db_setup, sample_folder, tmp_path_factory, new_database):
    """The sample county backed up (its rasters below DATA_DIR) and restored into a new
    database, with the rasters into another DATA_DIR."""
    source_dir = sample_folder.parent  # the rasters are DATA_DIR/<sample folder>/…
    backups = tmp_path_factory.mktemp("backups")
    target_dir = tmp_path_factory.mktemp("restored-data")
    restored, url = new_database()
    out, restore_out = io.StringIO(), io.StringIO()
    with translation.override("en"), override_settings(BACKUP_KEY=KEY):
        with override_settings(DATA_DIR=source_dir):
            call_command("backup", out=backups, stdout=out)
        (archive,) = backups.iterdir()  # one file, nothing temporary left beside it
        with override_settings(DATA_DIR=target_dir):
            call_command("restore", archive, database_url=url, stdout=restore_out)
    plain = opened(archive, tmp_path_factory.mktemp("opened"))
    with tarfile.open(plain) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    return dict(archive=archive, plain=plain, manifest=manifest, out=out.getvalue(),
                restore_out=restore_out.getvalue(), source_dir=source_dir,
                target_dir=target_dir, restored=restored, url=url)


def test_backup_says_where_it_wrote_and_how_much(round_trip):
    archive = round_trip["archive"]
    assert archive.name.startswith("gisplan-") and archive.name.endswith(".tar.age")
    assert round_trip["out"].startswith(f"Backup written to {archive} (")
    assert round_trip["out"].rstrip().endswith("MB)")


def test_the_manifest_describes_the_database_and_the_files(round_trip, sample_folder):
    manifest = round_trip["manifest"]
    assert manifest["database"] == connection.settings_dict["NAME"]
    assert manifest["postgis"].startswith("3.")
    assert "0001_initial" in manifest["migrations"]["layers"]
    with_db = {"public.layers_county": County, "public.layers_village": Village,
               "public.layers_rasterlayer": RasterLayer}
    for table, model in with_db.items():
        assert manifest["tables"][table] == _count(model)
    assert {Path(entry["path"]).name for entry in manifest["files"]} == SAMPLE_RASTERS
    for entry in manifest["files"]:
        assert entry["member"] == f"data/{sample_folder.name}/{Path(entry['path']).name}"
    assert manifest["missing"] == manifest["skipped"] == []
    with tarfile.open(round_trip["plain"]) as tar:
        assert sorted(tar.getnames()) == sorted(
            ["database.dump", "manifest.json"] + [e["member"] for e in manifest["files"]])


def _count(model):
    with _autocommit(original_database()) as cursor:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier(model._meta.db_table)))
        return cursor.fetchone()[0]


def test_restore_reports_what_it_checked(round_trip):
    manifest = round_trip["manifest"]
    assert round_trip["restore_out"].startswith(
        f"Restored {round_trip['archive']} into {round_trip['restored'].name}: "
        f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows and "
        f"3 files, all matching the backup's manifest")  # SAMPLE_RASTERS


def test_every_row_and_geometry_comes_back_identical(round_trip):
    original = _assert_identical(round_trip)
    # Every model (layers, history, users, groups, permissions …) was among the tables compared,
    # and the sample county filled the layers.
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)
              if model._meta.managed}  # not GeoDjango's geometry_columns, a PostGIS view
    assert tables <= original.rows.keys()
    for model in (County, Town, Village, Zone, Road, RasterLayer):
        assert original.rows[model._meta.db_table], model
    assert original.geometries > 0


def _assert_identical(round_trip):
    """Compare the original and restored databases and rasters; return the original."""
    source_dir, target_dir = round_trip["source_dir"], round_trip["target_dir"]

    def moved(path):  # the rasters now live below the target's DATA_DIR
        return str(target_dir / Path(path).relative_to(source_dir))

    original = _snapshot(original_database())
    restored = _snapshot(round_trip["restored"])
    path_at = original.columns["layers_rasterlayer"].index("path")
    original.rows["layers_rasterlayer"] = [
        row[:path_at] + (moved(row[path_at]),) + row[path_at + 1:]
        for row in original.rows["layers_rasterlayer"]]
    # The data version is set past every version before the restore, so that no tile cached
    # under one is taken for the restored data's (backups/archive.py RESTORED_DATA_VERSION).
    [(_, before)], [(_, after)] = original.rows["layers_dataversion"], restored.rows["layers_dataversion"]
    assert after > before
    assert restored.columns == original.columns
    for table, rows in original.rows.items():
        assert restored.rows[table] == rows or table == "layers_dataversion", table
    assert restored.sequences == original.sequences
    for entry in round_trip["manifest"]["files"]:
        assert Path(moved(entry["path"])).read_bytes() == Path(entry["path"]).read_bytes()
    return original


class _snapshot:
    """Every row of every table of the public schema, ordered by all its columns, geometries as
    hex EWKB; and every sequence's last value."""

    def __init__(self, database):
        self.columns, self.rows, self.geometries = {}, {}, 0
        with _autocommit(database) as cursor:
            cursor.execute("SELECT table_name, column_name, udt_name FROM information_schema.columns"
                           " JOIN information_schema.tables USING (table_schema, table_name)"
                           " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                           " ORDER BY table_name, ordinal_position")
            for table, column, kind in cursor.fetchall():
                self.columns.setdefault(table, []).append(column)
                if kind == "geometry":
                    self.columns[table][-1] = (column, "geometry")
            for table, columns in self.columns.items():
                selected = [sql.SQL("encode(ST_AsEWKB({}), 'hex')").format(sql.Identifier(c[0]))
                            if isinstance(c, tuple) else sql.Identifier(c) for c in columns]
                cursor.execute(sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
                    sql.SQL(", ").join(selected), sql.Identifier(table),
                    sql.SQL(", ").join(sql.SQL(str(n)) for n in range(1, len(columns) + 1))))
                self.rows[table] = cursor.fetchall()
                at = [i for i, c in enumerate(columns) if isinstance(c, tuple)]
                self.geometries += sum(row[i] is not None for row in self.rows[table] for i in at)
            self.columns = {table: [c[0] if isinstance(c, tuple) else c for c in columns]
                            for table, columns in self.columns.items()}
            cursor.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences"
                           " ORDER BY 1, 2")
            self.sequences = cursor.fetchall()


def test_restore_refuses_a_database_with_tables_unless_told_yes(round_trip, tmp_path):
    with translation.override("en"), override_settings(DATA_DIR=round_trip["target_dir"],
                                                       BACKUP_KEY=KEY):
        with pytest.raises(CommandError, match=r"is not empty \(\d+ tables\): restore with --yes"):
            call_command("restore", round_trip["archive"], database_url=round_trip["url"],
                         stdout=io.StringIO())
        # The session's own test database, the configured one, is refused the same way.
        with pytest.raises(CommandError, match="is not empty"):
            call_command("restore", round_trip["archive"], stdout=io.StringIO())
        out = io.StringIO()
        call_command("restore", round_trip["archive"], database_url=round_trip["url"], yes=True,
                     stdout=out)
    assert "all matching the backup's manifest" in out.getvalue()
    _assert_identical(round_trip)


def _truncated(archive, tmp_path):
    damaged = tmp_path / "truncated.tar"
    damaged.write_bytes(archive.read_bytes()[:archive.stat().st_size // 2])
    return damaged


def _flipped(archive, tmp_path):
    damaged = tmp_path / "flipped.tar"
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        at = tar.getmember("database.dump").offset_data + 1000
    data[at] ^= 0xFF
    damaged.write_bytes(bytes(data))
    return damaged


def _not_a_tar(archive, tmp_path):
    damaged = tmp_path / "notes.tar"
    damaged.write_text("a shopping list, not a backup\n")
    return damaged


def _absent(archive, tmp_path):
    return tmp_path / "no-such-backup.tar"


@pytest.mark.parametrize("damage, message", [
    (_truncated, "is damaged or is not a gisplan backup"),
    (_flipped, "is damaged: the checksum of database.dump does not match its manifest"),
    (_not_a_tar, "is damaged or is not a gisplan backup"),
    (_absent, "No backup file at"),
])
def test_a_damaged_or_missing_backup_is_refused_and_changes_nothing(
        round_trip, new_database, tmp_path, damage, message):
    empty, url = new_database()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with translation.override("en"), override_settings(DATA_DIR=data_dir):
        with pytest.raises(CommandError, match=message) as refusal:
            call_command("restore", damage(round_trip["plain"], tmp_path), database_url=url)
    assert "\n" not in str(refusal.value)
    with _autocommit(empty) as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables"
                       " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                       " AND table_name <> 'spatial_ref_sys'")  # PostGIS's, in every database
        assert cursor.fetchone()[0] == 0
    assert list(data_dir.iterdir()) == []


@pytest.mark.parametrize("pg_dump, message", [
    (None, "pg_dump was not found: install the PostgreSQL client tools"),
    ("echo 'pg_dump: error: connection to server lost' >&2; exit 1",
     "pg_dump failed: pg_dump: error: connection to server lost"),
])
def test_a_failed_backup_leaves_nothing_behind(django_db_setup, tmp_path, monkeypatch, pg_dump,
                                               message):
    tools = tmp_path / "bin"
    tools.mkdir()
    if pg_dump:
        (tools / "pg_dump").write_text(f"#!/bin/sh\n{pg_dump}\n")
        (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    backups = tmp_path / "backups"
    with translation.override("en"), override_settings(BACKUP_KEY=KEY), \
            pytest.raises(CommandError, match=message) as refusal:
        call_command("backup", out=backups)
    assert "\n" not in str(refusal.value)
    assert list(backups.iterdir()) == []


def test_rasters_outside_data_dir_are_kept_under_external(django_db_setup, sample_folder,
                                                          tmp_path):
    with override_settings(DATA_DIR=tmp_path / "elsewhere", BACKUP_KEY=KEY):
        call_command("backup", out=tmp_path, stdout=io.StringIO())
    (archive,) = tmp_path.glob("*.tar.age")
    with tarfile.open(opened(archive, tmp_path)) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    # Restored to <DATA_DIR>/external/<the absolute path>.
    assert sorted(entry["member"] for entry in manifest["files"]) == sorted(
        "external" + str(sample_folder / name) for name in SAMPLE_RASTERS)


def test_a_restore_that_fails_half_way_is_rolled_back(round_trip, new_database, tmp_path,
                                                      monkeypatch):
    # A pg_restore that lists the backup but stops after writing one statement of the restore.
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_restore").write_text(
        '#!/bin/sh\n[ "$1" = --list ] && exec /usr/bin/pg_restore "$@"\n'
        'echo "CREATE TABLE half_done (id int);"\necho "pg_restore: error: disk on fire" >&2\n'
        'exit 1\n')
    (tools / "pg_restore").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    empty, url = new_database()
    data_dir = tmp_path / "data"
    with translation.override("en"), override_settings(DATA_DIR=data_dir, BACKUP_KEY=KEY):
        with pytest.raises(CommandError, match="pg_restore failed: pg_restore: error: disk on fire"):
            call_command("restore", round_trip["archive"], database_url=url)
    with _autocommit(empty) as cursor:
        cursor.execute("SELECT to_regclass('half_done')")
        assert cursor.fetchone()[0] is None
    assert list(data_dir.iterdir()) == []


def test_personal_data_is_never_backed_up_in_the_clear(django_db_setup, tmp_path):
    backups = tmp_path / "backups"
    with translation.override("en"), override_settings(BACKUP_KEY=None), \
            pytest.raises(CommandError, match="holds personal data .* set GISPLAN_BACKUP_KEY"):
        call_command("backup", out=backups)
    assert list(backups.iterdir()) == []
    with translation.override("en"), override_settings(BACKUP_KEY="not a key"), \
            pytest.raises(CommandError, match="is not an age key"):
        call_command("backup", out=backups)


def test_the_encrypted_backup_shows_nothing_inside(round_trip):
    sealed = round_trip["archive"].read_bytes()
    assert sealed.startswith(encryption.MAGIC)
    for inside in (b"manifest.json", b"database.dump", b"PGDMP", "户主".encode()):
        assert inside not in sealed


@pytest.mark.parametrize("key, message", [
    (None, "is encrypted: set GISPLAN_BACKUP_KEY to the key it was written with"),
    (new_key(), "does not open this backup"),
])
def test_an_encrypted_backup_needs_its_key(round_trip, new_database, tmp_path, key, message):
    empty, url = new_database()
    data_dir = tmp_path / "data"
    with translation.override("en"), override_settings(DATA_DIR=data_dir, BACKUP_KEY=key):
        with pytest.raises(CommandError, match=message) as refusal:
            call_command("restore", round_trip["archive"], database_url=url)
    assert "\n" not in str(refusal.value) and KEY not in str(refusal.value)
    with _autocommit(empty) as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables"
                       " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                       " AND table_name <> 'spatial_ref_sys'")  # PostGIS's, in every database
        assert cursor.fetchone()[0] == 0
    assert not data_dir.exists() or list(data_dir.iterdir()) == []
