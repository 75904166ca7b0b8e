"""Plain words for audit events on the administration pages."""

from django import template

register = template.Library()

ACTION_LABELS = {
    "membership.grant": "Roles set",
    "membership.revoke": "Membership deactivated",
    "staff_user.create": "Staff user created",
    "apikey.create": "API key created",
    "apikey.revoke": "API key revoked",
    "support_access.grant": "Support access granted",
    "support_access.revoke": "Support access revoked",
    "tenant.create": "Organisation set up",
    "tenant.modules": "Modules changed",
    "tenant.suspend": "Organisation suspended",
    "tenant.reactivate": "Organisation reactivated",
}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


@register.filter
def audit_value(value) -> str:
    if value is None or value == [] or value == "":
        return "none"
    if value is True or value is False:
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
