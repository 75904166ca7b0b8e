"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the audit log: it is append-only."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION borough_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS audit_append_only ON core_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION borough_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS borough_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
