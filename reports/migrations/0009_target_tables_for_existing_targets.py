from django.db import migrations


def tables_for_existing_targets(apps, schema_editor):
    """Targets made before target tables existed become edition 1 of an approved table per
    department and year (they were in force already), so the quarters keep tracking them."""
    AnnualTarget = apps.get_model("reports", "AnnualTarget")
    TargetTable = apps.get_model("reports", "TargetTable")
    QuarterlyReport = apps.get_model("reports", "QuarterlyReport")
    # order_by(): the model's ordering (…, "order", "id") would otherwise make every row a distinct group
    groups = AnnualTarget.objects.order_by().values_list("department_id", "year").distinct()
    for department_id, year in groups:
        rows = AnnualTarget.objects.filter(department_id=department_id, year=year).order_by("order", "id")
        indicators = [{"level1": t.level1, "level2": t.level2, "name": t.name, "nature": t.nature,
                       "target": t.target, "measure_unit": t.measure_unit, "weight": f"{t.weight.normalize():f}",
                       "standard": "", "unit": t.unit.code} for t in rows.select_related("unit")]
        table = TargetTable.objects.create(department_id=department_id, year=year, edition=1, state="approved",
                                           data={"goal": "", "tasks": [], "indicators": indicators})
        rows.update(table=table)
        QuarterlyReport.objects.filter(department_id=department_id, year=year).update(target_table=table)


class Migration(migrations.Migration):
    # Separate migrations: PostgreSQL refuses to alter a table with pending deferred FK checks
    # in the transaction that updated its rows.
    dependencies = [("reports", "0008_target_tables")]

    operations = [migrations.RunPython(tables_for_existing_targets, migrations.RunPython.noop)]
