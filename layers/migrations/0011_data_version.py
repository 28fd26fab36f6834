from django.db import migrations, models

# The tables whose rows the layers (GeoJSON and tiles) show. A transaction that changes one
# adds 1 to the version once, when it commits: a deferred constraint trigger, which runs at
# commit and so takes the version's row lock only then (no lock held while the transaction
# works, no deadlock with the plan editor's locks), and a flag in the transaction's settings
# so that an import of thousands of rows counts once.
TABLES = ("layers_county", "layers_town", "layers_planversion", "layers_zone", "layers_village",
          "layers_servicecenter", "layers_industry", "layers_road", "layers_river",
          "layers_protectedarea")

FUNCTION = """
CREATE FUNCTION layers_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('gisplan.data_version_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('gisplan.data_version_bumped', txid_current()::text, true);
        INSERT INTO layers_dataversion (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = layers_dataversion.version + 1;
    END IF;
    RETURN NULL;
END $$;
"""


def triggers(table):
    return (f"CREATE CONSTRAINT TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION layers_bump_data_version();"
            f"CREATE TRIGGER data_version_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION layers_bump_data_version();")


def drop(table):
    return (f"DROP TRIGGER data_version ON {table}; "
            f"DROP TRIGGER data_version_truncate ON {table};")


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0010_import_rasters_permission'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL("INSERT INTO layers_dataversion (id, version) VALUES (1, 0);",
                          "DELETE FROM layers_dataversion;"),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION layers_bump_data_version();"),
        migrations.RunSQL("".join(triggers(t) for t in TABLES), "".join(drop(t) for t in TABLES)),
    ]
