"""The desk's queues by their URL slug (mine, breaching, triage, unassigned, team-<code>), and how a queue table
is sorted: one place, so the desk's counts, links and tables agree."""

from dataclasses import dataclass

from django.http import Http404

from borough.crm.models import Team, TeamMember
from borough.crm.selectors import case_queue

FIXED_QUEUES = {
    "mine": "My cases",
    "breaching": "Breaching soon",
    "triage": "Triage",
    "unassigned": "Unassigned",
}
TEAM_PREFIX = "team-"

# Column key -> (heading, the ordering fields ascending). "Age" ascending means the youngest first.
SORTS = {
    "reference": ("Reference", ("reference",)),
    "service": ("Service", ("service__name", "reference")),
    "requester": ("Requester", ("requester__family_name", "requester__given_name", "reference")),
    "status": ("Status", ("status", "reference")),
    "team": ("Team and officer", ("team__name", "assigned_to__username", "reference")),
    "due": ("Due", ("due_at", "reference")),
    "age": ("Age", ("-created_at", "reference")),
}
DEFAULT_SORT = "due"


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    selector_key: str  # what borough.crm.selectors.case_queue calls it
    team: Team | None = None

    def cases(self, *, tenant, user):
        return case_queue(tenant=tenant, queue=self.selector_key, user=user)


def queue_for(slug: str) -> Queue:
    """The queue a URL slug names; 404 for anything else, like a page that does not exist."""
    if slug in FIXED_QUEUES:
        return Queue(slug, FIXED_QUEUES[slug], slug)
    if slug.startswith(TEAM_PREFIX):
        team = Team.objects.filter(code=slug.removeprefix(TEAM_PREFIX)).first()
        if team is not None:
            return Queue(slug, f"{team.name} queue", f"team:{team.code}", team)
    raise Http404("No such queue")


def desk_queues(user) -> list[Queue]:
    """My cases, then each team the user belongs to, then the shared queues."""
    teams = Team.objects.filter(pk__in=TeamMember.objects.filter(user=user).values("team_id")).order_by("name")
    queues = [queue_for("mine")]
    queues += [Queue(f"{TEAM_PREFIX}{team.code}", f"{team.name} queue", f"team:{team.code}", team) for team in teams]
    queues += [queue_for(slug) for slug in ("breaching", "triage", "unassigned")]
    return queues


@dataclass(frozen=True)
class SortColumn:
    key: str
    heading: str
    aria_sort: str  # ascending, descending or none
    next_sort: str  # the sort parameter the heading's link asks for


def parse_sort(value: str | None) -> tuple[str, bool]:
    """("due", False) from "due"; ("due", True) from "-due"; the default for anything unknown."""
    value = value or DEFAULT_SORT
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def ordering(key: str, descending: bool) -> list[str]:
    fields = SORTS[key][1]
    if not descending:
        return list(fields)
    return [field.removeprefix("-") if field.startswith("-") else f"-{field}" for field in fields]


def sort_columns(key: str, descending: bool) -> list[SortColumn]:
    columns = []
    for column, (heading, _fields) in SORTS.items():
        if column == key:
            aria, next_sort = ("descending", column) if descending else ("ascending", f"-{column}")
        else:
            aria, next_sort = "none", column
        columns.append(SortColumn(column, heading, aria, next_sort))
    return columns
