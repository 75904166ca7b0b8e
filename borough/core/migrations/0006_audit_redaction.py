"""On PostgreSQL, `borough_audit_redact(tenant, event ids, kept keys)`: the one change the append-only audit log
allows, made when a person is erased (docs/adr/0017). It replaces the personal values of the given events by
"[erased]": the object's name, every before and after value, and every detail value except the kept keys (ids).
Who acted, what they did, to which object and when stay as they were.

The app role may not UPDATE the audit log, so the function runs as its owner (SECURITY DEFINER); it can only write
the marker, never other text, and only for the tenant the connection acts for. The trigger lets its UPDATE through
(the function sets `borough.audit_redacting` for its own statement) and still refuses every other change.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION borough_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('borough.audit_redacting', true) = 'on'
        AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.occurred_at = OLD.occurred_at
        AND NEW.action = OLD.action AND NEW.actor_label = OLD.actor_label
        AND NEW.object_type = OLD.object_type AND NEW.object_id = OLD.object_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION borough_audit_redact(p_tenant bigint, p_events bigint[], p_kept_keys text[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    redacted integer;
BEGIN
    IF current_setting('borough.tenant_id', true) IS DISTINCT FROM p_tenant::text THEN
        RAISE EXCEPTION 'audit events of tenant % redacted outside its scope', p_tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('borough.audit_redacting', 'on', true);
    UPDATE core_auditevent SET
        object_repr = '[erased]',
        changes = (SELECT coalesce(jsonb_object_agg(key, '["[erased]", "[erased]"]'::jsonb), '{}'::jsonb)
                   FROM jsonb_each(changes)),
        detail = (SELECT coalesce(jsonb_object_agg(key, CASE WHEN key = ANY(p_kept_keys) OR key LIKE '%\\_id'
                                                                  OR key LIKE '%\\_ids' THEN value
                                                             ELSE '"[erased]"'::jsonb END), '{}'::jsonb)
                  FROM jsonb_each(detail))
    WHERE tenant_id = p_tenant AND id = ANY(p_events);
    GET DIAGNOSTICS redacted = ROW_COUNT;
    PERFORM set_config('borough.audit_redacting', 'off', true);
    RETURN redacted;
END;
$$;
"""
DROP = """
DROP FUNCTION IF EXISTS borough_audit_redact(bigint, bigint[], text[]);
CREATE OR REPLACE FUNCTION borough_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_reference_sequences")]
    operations = [migrations.RunPython(create_function, drop_function)]
