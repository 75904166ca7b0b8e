"""`borough migrate`: Django's migrate, run as the schema owner, then row-level security and the app role's grants.

On PostgreSQL the app connects as a non-owner role (DATABASE_URL) so the RLS policies bind it; the schema is created
and altered by the owner (DATABASE_OWNER_URL). After migrating, every tenant-owned table gets its policy (idempotent),
so a new module cannot forget one.
"""

from contextlib import contextmanager

from django.core.management.commands import migrate
from django.db import connections

from borough.tenancy.rls import apply_row_level_security, grant_to_app_role


@contextmanager
def connected_as_owner(connection):
    owner = connection.settings_dict.get("OWNER")
    if not owner:
        yield connection.settings_dict["USER"]
        return
    app_user, app_password = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    try:
        yield app_user
    finally:
        connection.close()
        connection.settings_dict.update(USER=app_user, PASSWORD=app_password)


class Command(migrate.Command):
    help = "Migrate as the schema owner, then apply row-level security and grant the app role (PostgreSQL)."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connected_as_owner(connection) as app_role:
            super().handle(*args, **options)
            with connection.cursor() as cursor:
                apply_row_level_security(cursor)
                if app_role != connection.settings_dict["USER"]:
                    grant_to_app_role(cursor, app_role)
        return None
