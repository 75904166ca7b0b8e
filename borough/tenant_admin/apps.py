from django.apps import AppConfig


class TenantAdminConfig(AppConfig):
    name = "borough.tenant_admin"
    label = "tenant_admin"
    verbose_name = "Tenant administration"
