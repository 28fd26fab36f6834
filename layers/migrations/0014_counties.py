"""Every county-level row belongs to a county: the rows of an installation that held one county
become that county's; a plan in force per county; zone codes per county."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OWNED = ("planversion", "village", "servicecenter", "industry", "road", "river", "protectedarea",
         "rasterlayer")


def to_the_county(apps, schema_editor):
    """Rows so far belonged to the one county there was; a village to its town's."""
    county = apps.get_model("layers", "County").objects.order_by("adcode").first()
    if county is None:
        return  # nothing to own: every layer is empty without a county
    for name in OWNED:
        for model in (apps.get_model("layers", name),
                      apps.get_model("layers", f"historical{name}") if name not in
                      ("protectedarea", "rasterlayer") else None):
            if model is not None:
                model.objects.filter(county__isnull=True).update(county=county)
    Village = apps.get_model("layers", "Village")
    Town = apps.get_model("layers", "Town")
    Village.objects.update(county=models.Subquery(
        Town.objects.filter(pk=models.OuterRef("town")).values("county")[:1]))
    # The data version's triggers (0011) are deferred to the commit, and a table with pending
    # trigger events cannot be altered: run them now, before the columns become required.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0013_no_hillshade_raster'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='planversion',
            name='one_approved_plan',
        ),
        migrations.AddField(
            model_name='historicalindustry',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='historicalplanversion',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='historicalriver',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='historicalroad',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='historicalservicecenter',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='historicalvillage',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='industry',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='planversion',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='protectedarea',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='rasterlayer',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='river',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='road',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='servicecenter',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='village',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='historicalzone',
            name='code',
            field=models.CharField(max_length=4, validators=[django.core.validators.RegexValidator('^[A-Z0-9]{1,4}$', 'A zone code is 1 to 4 capital letters or digits.')], verbose_name='code'),
        ),
        migrations.AlterField(
            model_name='zone',
            name='code',
            field=models.CharField(max_length=4, validators=[django.core.validators.RegexValidator('^[A-Z0-9]{1,4}$', 'A zone code is 1 to 4 capital letters or digits.')], verbose_name='code'),
        ),
        migrations.RunPython(to_the_county, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='planversion',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='village',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='servicecenter',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='industry',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='road',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='river',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='protectedarea',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AlterField(
            model_name='rasterlayer',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='layers.county', verbose_name='county'),
        ),
        migrations.AddConstraint(
            model_name='planversion',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'approved')), fields=('county',), name='one_approved_plan_per_county'),
        ),
    ]
