"""The tenant API, `/api/v1/`. Each app adds its routes here."""

urlpatterns: list = []
