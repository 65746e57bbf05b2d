import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_target_tables_for_existing_targets")]

    operations = [
        migrations.AlterField(
            model_name="annualtarget",
            name="table",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="targets",
                                    to="reports.targettable", verbose_name="目标表"),
        ),
    ]
