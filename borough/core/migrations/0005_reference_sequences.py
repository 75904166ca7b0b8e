"""On PostgreSQL, `borough_reference_next(tenant, sequence)`: the next number of a tenant's reference sequence from a
database sequence, for references where a rare gap is acceptable (docs/adr/0011).

The app role owns nothing and cannot create sequences, so the function runs as its owner (SECURITY DEFINER) and
creates a tenant's sequence the first time it is asked for, starting after the value of the tenant's counter row if
there is one. It refuses to serve a tenant other than the one the connection acts for (`borough.tenant_id`), as the
row-level security policies do.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION borough_reference_next(p_tenant bigint, p_sequence text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sequence_name text := format('reference_%s_%s', p_tenant, translate(p_sequence, '.-', '__'));
    start_with bigint;
BEGIN
    IF current_setting('borough.tenant_id', true) IS DISTINCT FROM p_tenant::text THEN
        RAISE EXCEPTION 'reference sequence of tenant % asked for outside its scope', p_tenant
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(quote_ident(sequence_name)) IS NULL THEN
        SELECT last_value + 1 INTO start_with FROM core_referencecounter
            WHERE tenant_id = p_tenant AND sequence = p_sequence;
        BEGIN
            EXECUTE format('CREATE SEQUENCE %I START WITH %s', sequence_name, coalesce(start_with, 1));
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;  -- another transaction created it first
        END;
    END IF;
    RETURN nextval(quote_ident(sequence_name)::regclass);
END;
$$;
"""
DROP = "DROP FUNCTION IF EXISTS borough_reference_next(bigint, text);"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_usage_shards")]
    operations = [migrations.RunPython(create_function, drop_function)]
