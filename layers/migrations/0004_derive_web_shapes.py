"""Fill the web shapes of rows that existed before 0003 added them.

Raw SQL: the same UPDATE as WebShapedQuerySet.derive_web_shapes, which historical models lack.
"""
from django.db import migrations

TABLES = ("layers_county", "layers_town", "layers_zone", "layers_village")

SQL = [f"UPDATE {table} SET web_boundary = "
       f"ST_Transform(ST_Multi(ST_SimplifyPreserveTopology(boundary, 20.0)), 4326) "
       f"WHERE boundary IS NOT NULL" for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [("layers", "0003_web_shapes")]
    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
