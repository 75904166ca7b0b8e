"""The staff app's navigation: only the modules the tenant has enabled and the areas the user's roles permit."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from borough.tenancy.modules import MODULES, TENANT_ADMIN


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    current: bool = False


def _module_home(code: str) -> str | None:
    """A module appears once it has a staff home page (`<module>:home`)."""
    try:
        return reverse(f"{code}:home")
    except NoReverseMatch:
        return None


def staff_navigation(request) -> list[NavigationItem]:
    tenant, roles, path = request.tenant, request.roles, request.path
    items = [NavigationItem("Home", "/staff/", path == "/staff/")]
    for module in MODULES:
        if tenant.has_module(module.code) and roles & set(module.roles):
            url = _module_home(module.code)
            if url:
                items.append(NavigationItem(module.name, url, path.startswith(url)))
    if tenant.has_module("crm") and roles & {"crm.agent", "crm.supervisor"}:
        for label, name in (("Calls", "telephony:home"), ("Emails to review", "channels:review"),
                            ("Texts to review", "texts:review")):  # fmt: skip
            url = reverse(name)
            items.append(NavigationItem(label, url, path == url or (name == "telephony:home" and path.startswith(url))))
    if roles and (url := _module_home("runs")):
        items.append(NavigationItem("Batch runs", url, path.startswith(url)))
    if TENANT_ADMIN in roles and (url := _module_home("tenant_admin")):
        items.append(NavigationItem("Administration", url, path.startswith(url)))
    if TENANT_ADMIN in roles and tenant.has_module("crm") and (url := reverse("channels:settings")):
        items.append(NavigationItem("Mail settings", url, path.startswith(url)))
    return items
