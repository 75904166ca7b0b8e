"""The demo data of `make run`: the provider's staff, two councils and a small business.

Every demo user has the same fixed password, printed at start-up, so the data is for a demo on one machine
only: seeding refuses unless the database is SQLite or BOROUGH_DEMO=1 is set.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from borough.channels.demo import channels_demo_seed
from borough.core.audit import Actor, acting_as
from borough.crm.demo import crm_demo_seed
from borough.identity.services import membership_grant
from borough.revenues.demo import revenues_demo_seed
from borough.tenancy.models import Tenant
from borough.tenancy.modules import TENANT_ADMIN
from borough.tenancy.scope import tenant_scope
from borough.tenancy.services import tenant_create

DEMO_PASSWORD = "borough-demo-only"
PROVIDER_USERNAME = "provider"
LOGO_DIR = Path(__file__).resolve().parent / "demo_logos"


class DemoNotAllowed(Exception):
    """Demo users with a published password must not be created in a real installation."""


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    kind: str
    brand_colour: str
    users: tuple[DemoUser, ...]  # the first is the administrator
    modules: tuple[str, ...] | None = None  # None: the defaults of its kind
    domains: tuple[str, ...] = ()

    @property
    def logo_svg(self) -> str:
        return (LOGO_DIR / f"{self.slug}.svg").read_text(encoding="utf-8")


DEMO_TENANTS: tuple[DemoTenant, ...] = (
    DemoTenant(
        slug="northfield",
        name="Northfield District Council",
        kind=Tenant.Kind.COUNCIL,
        brand_colour="#00703c",
        users=(
            DemoUser("northfield-admin", "Nadia Admin", (TENANT_ADMIN,)),
            DemoUser("northfield-agent", "Nathan Agent", ("crm.agent",)),
            DemoUser("northfield-supervisor", "Nora Supervisor", ("crm.agent", "crm.supervisor")),
            DemoUser("northfield-revenues", "Neil Revenues", ("revenues.officer",)),
            DemoUser("northfield-payroll", "Naomi Payroll", ("payroll.administrator",)),
        ),
    ),
    DemoTenant(
        slug="southvale",
        name="Southvale Borough Council",
        kind=Tenant.Kind.COUNCIL,
        brand_colour="#4c2c92",
        users=(
            DemoUser("southvale-admin", "Sara Admin", (TENANT_ADMIN,)),
            DemoUser("southvale-agent", "Sam Agent", ("crm.agent",)),
            DemoUser("southvale-benefits", "Sunil Benefits", ("benefits.assessor",)),
        ),
    ),
    DemoTenant(
        slug="brightside",
        name="Brightside Bakery Ltd",
        kind=Tenant.Kind.BUSINESS,
        brand_colour="#f47738",
        modules=("hr", "payroll", "procurement", "itsm"),
        # A custom domain beside brightside.localhost (browsers resolve every *.localhost to this machine).
        domains=("brightside-bakery.localhost",),
        users=(
            DemoUser("brightside-admin", "Bea Admin", (TENANT_ADMIN,)),
            DemoUser("brightside-hr", "Ben HR", ("hr.officer",)),
            DemoUser("brightside-payroll", "Bella Payroll", ("payroll.administrator",)),
            DemoUser("brightside-buyer", "Bob Buyer", ("procurement.buyer", "procurement.approver")),
            DemoUser("brightside-servicedesk", "Bianca Service Desk", ("itsm.agent",)),
        ),
    ),
)


@dataclass(frozen=True)
class DemoLogin:
    url: str
    username: str
    password: str
    roles: str


def demo_allowed(*, vendor: str | None = None) -> bool:
    """SQLite is the embedded default; anywhere else the demo must be asked for with BOROUGH_DEMO=1."""
    return (vendor or connection.vendor) == "sqlite" or os.environ.get("BOROUGH_DEMO") == "1"


def _user(demo_user: DemoUser, password_hash: str, **extra):
    user_model = get_user_model()
    user = user_model.objects.filter(username=demo_user.username).first()
    if user is None:
        first_name, _, last_name = demo_user.full_name.partition(" ")
        user = user_model(
            username=demo_user.username,
            first_name=first_name,
            last_name=last_name,
            email=f"{demo_user.username}@example.com",
            password=password_hash,
            **extra,
        )
        user.save()
    return user


def _tenant_create(spec: DemoTenant, password_hash: str) -> Tenant:
    admin, *staff = spec.users
    with transaction.atomic():
        _user(admin, password_hash)  # created first, with its name, so tenant_create only makes it the administrator
        tenant, _admin, _password = tenant_create(
            slug=spec.slug,
            name=spec.name,
            kind=spec.kind,
            brand_colour=spec.brand_colour,
            logo_svg=spec.logo_svg,
            enabled_modules=list(spec.modules) if spec.modules is not None else None,
            domains=list(spec.domains),
            nation=Tenant.Nation.ENGLAND_AND_WALES,
            admin_username=admin.username,
        )
        with tenant_scope(tenant):
            for demo_user in staff:
                membership_grant(tenant=tenant, user=_user(demo_user, password_hash), roles=list(demo_user.roles))
            if spec.kind == Tenant.Kind.COUNCIL:
                crm_demo_seed(tenant)
                channels_demo_seed(tenant)
                revenues_demo_seed(tenant)
    return tenant


def demo_seed() -> list[Tenant]:
    """Create the demo provider user and the demo tenants not there yet; return the tenants created."""
    if not demo_allowed():
        raise DemoNotAllowed(
            "Demo data has a published password, so it is created only on SQLite (the embedded default) "
            "or when BOROUGH_DEMO=1 is set."
        )
    # Hashed once for every demo user: the password is public anyway, and a hash per user makes the first
    # `make run` wait seconds.
    password_hash = make_password(DEMO_PASSWORD)
    created = []
    with acting_as(Actor.system("demo seed")):
        _user(DemoUser(PROVIDER_USERNAME, "Pat Provider", ()), password_hash, is_provider_staff=True)
        for spec in DEMO_TENANTS:
            if not Tenant.objects.filter(slug=spec.slug).exists():
                created.append(_tenant_create(spec, password_hash))
    return created


def demo_logins(*, port: int, base_domain: str = "localhost", only_slugs=None) -> list[DemoLogin]:
    """Where and how each demo user signs in (of the tenants in `only_slugs`, or all)."""
    rows = [DemoLogin(f"http://{base_domain}:{port}/", PROVIDER_USERNAME, DEMO_PASSWORD, "provider staff")]
    for spec in DEMO_TENANTS:
        if only_slugs is not None and spec.slug not in only_slugs:
            continue
        host = spec.domains[0] if spec.domains else f"{spec.slug}.{base_domain}"
        url = f"http://{host}:{port}/staff/"
        rows += [DemoLogin(url, u.username, DEMO_PASSWORD, ", ".join(u.roles)) for u in spec.users]
    return rows


def login_table(logins: list[DemoLogin]) -> str:
    header = DemoLogin("URL", "Username", "Password", "Roles")
    rows = [header, *logins]
    widths = [max(len(getattr(row, field)) for row in rows) for field in ("url", "username", "password")]

    def line(row: DemoLogin) -> str:
        cells = (
            row.url.ljust(widths[0]),
            row.username.ljust(widths[1]),
            row.password.ljust(widths[2]),
            row.roles,
        )
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in [*widths, len(header.roles)]), *map(line, logins)])
