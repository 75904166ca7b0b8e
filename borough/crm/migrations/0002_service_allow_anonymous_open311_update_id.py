"""Service.allow_anonymous: whether a resident may report to a service without contact details. Existing services
that need a location keep taking anonymous reports (the portal used to decide by needs_location), the rest do not.

CaseEvent.open311_update_id: the client's own id of an Open311 service request update, unique per tenant, so a
retried POST is answered with its first update instead of making a second.
"""

from django.db import migrations, models


def keep_anonymous_reports_of_located_services(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Row-level security binds the schema owner too (FORCE): act for every tenant, for this transaction only.
        schema_editor.execute("SELECT set_config('borough.tenant_id', 'all', true)", params=None)
    Service = apps.get_model("crm", "Service")
    Service.objects.filter(needs_location=True).update(allow_anonymous=True)


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="allow_anonymous",
            field=models.BooleanField(
                default=False,
                help_text="A resident may report to this service without giving contact details (a pothole, "
                "fly-tipping); otherwise a report from a resident needs an email address or phone number.",
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="open311_update_id",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("open311_update_id", ""), _negated=True),
                fields=("tenant", "open311_update_id"),
                name="caseevent_unique_open311_update_id",
            ),
        ),
        migrations.RunPython(keep_anonymous_reports_of_located_services, migrations.RunPython.noop),
    ]
