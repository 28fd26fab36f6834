"""The status log is append-only in the database itself, and the poverty lines start with the
national rural standard by year."""
from django.db import migrations

# Raw SQL: an UPDATE of a status change is refused by PostgreSQL, whatever wrote it (the ORM's
# bulk update, raw SQL, the admin), which a model's save() alone cannot promise.
APPEND_ONLY = """
CREATE FUNCTION households_event_unchanged() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a household''s status changes are kept as recorded';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER households_event_unchanged BEFORE UPDATE ON households_householdevent
    FOR EACH ROW EXECUTE FUNCTION households_event_unchanged();
"""
DROP = """
DROP TRIGGER households_event_unchanged ON households_householdevent;
DROP FUNCTION households_event_unchanged();
"""
# China's rural poverty line (the 2010 standard, 2,300 yuan a person a year at 2010 prices) in
# each year's prices, as the National Bureau of Statistics published it. A county that works to
# a provincial line changes the rows (the admin); the exit check reads whatever is here.
LINES = {2014: 2800, 2015: 2855, 2016: 2952, 2017: 2952, 2018: 2995, 2019: 3218, 2020: 4000}
SOURCE = "国家统计局：现行农村贫困标准（2010年不变价每人每年2300元）按当年价格"


def add_lines(apps, schema_editor):
    PovertyLine = apps.get_model("households", "PovertyLine")  # noqa: N806
    PovertyLine.objects.bulk_create(PovertyLine(year=year, yuan=yuan, source=SOURCE)
                                    for year, yuan in LINES.items())


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP),
        migrations.RunPython(add_lines, migrations.RunPython.noop),
    ]
