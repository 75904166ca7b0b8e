"""A tenant's CRM settings and the working calendar its service levels run on."""

from datetime import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from borough.core.calc.working_days import WorkingCalendar
from borough.core.calendars import bank_holidays
from borough.crm.calc.sla import sla_calendar
from borough.crm.models import CrmSettings
from borough.tenancy.scope import scope_memo, scope_memo_forget


def crm_settings(tenant) -> CrmSettings:
    """The tenant's settings row, made with the defaults the first time it is asked for."""
    return scope_memo(("crm_settings", tenant.pk), lambda: CrmSettings.objects.get_or_create(tenant=tenant)[0])


@receiver([post_save, post_delete], sender=CrmSettings)
def _forget_settings(sender, instance: CrmSettings, **kwargs) -> None:
    scope_memo_forget(("crm_settings", instance.tenant_id))


def _as_time(value: time | str) -> time:
    # A row just created still holds the field default as written ("09:00"), not a time.
    return time.fromisoformat(value) if isinstance(value, str) else value


def crm_calendar(tenant, settings: CrmSettings | None = None) -> WorkingCalendar:
    """Monday to Friday in the tenant's opening hours, less the bank holidays of the tenant's nation."""
    settings = settings or crm_settings(tenant)
    return sla_calendar(
        holidays=bank_holidays(tenant.nation),
        opens=_as_time(settings.opening_time),
        closes=_as_time(settings.closing_time),
    )
