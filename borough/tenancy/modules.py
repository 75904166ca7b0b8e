"""The modules a tenant can have enabled, and the roles each module grants.

One table, so the staff navigation, the role checks and the provider console agree on the names.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    code: str
    name: str
    roles: tuple[str, ...]
    for_kinds: tuple[str, ...] = ("council", "business")


MODULES: tuple[Module, ...] = (
    Module("crm", "Customer contact", ("crm.agent", "crm.supervisor"), ("council",)),
    Module("revenues", "Revenues", ("revenues.officer", "revenues.manager"), ("council",)),
    Module("benefits", "Benefits", ("benefits.assessor", "benefits.manager"), ("council",)),
    Module("hr", "HR", ("hr.officer", "hr.manager")),
    Module("payroll", "Payroll", ("payroll.officer", "payroll.administrator")),
    Module("procurement", "Procurement", ("procurement.buyer", "procurement.approver")),
    Module("itsm", "Service desk", ("itsm.agent", "itsm.manager")),
)
MODULES_BY_CODE = {m.code: m for m in MODULES}

TENANT_ADMIN = "tenant.admin"
ALL_ROLES: frozenset[str] = frozenset({TENANT_ADMIN, *(role for m in MODULES for role in m.roles)})


def default_modules(kind: str) -> list[str]:
    return [m.code for m in MODULES if kind in m.for_kinds]


def module_of_role(role: str) -> str:
    return role.split(".", 1)[0]
