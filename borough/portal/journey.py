"""The report journey: which pages a service's report has, in what order, and what the resident has answered.

The answers live in the session (borough.portal.session) as one dict per tenant, for one service at a time:

    {"service": "missed-bin", "answers": {"bin": "black"}, "description": "...", "postcode": "NF1 2AB",
     "address": "...", "latitude": "", "longitude": "", "photos": [{"id", "name", "type", "size"}],
     "identity": "named" | "anonymous", "given_name": "", "family_name": "", "email": "", "phone": "",
     "preferred_channel": "email", "consents": ["email_updates"], "done": ["question:bin", "description", ...]}
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from borough.crm.models import Service, ServiceQuestion
from borough.portal.session import session_forget, session_read, session_write

STATE = "report"
CONFIRMATION = "confirmation"


def anonymous_allowed(service: Service) -> bool:
    """Whether the resident is asked if they want to give their details (the service's own setting: a pothole may
    be reported anonymously, a council tax question needs someone to answer); otherwise they must give them."""
    return service.allow_anonymous


def new_state(service: Service) -> dict[str, Any]:
    return {"service": service.code, "answers": {}, "photos": [], "consents": [], "done": []}


@dataclass(frozen=True)
class Step:
    name: str
    url: str
    title: str  # what the check-your-answers page calls it


@dataclass
class Journey:
    service: Service
    state: dict[str, Any]
    questions: list[ServiceQuestion] = field(default_factory=list)

    @classmethod
    def load(cls, request, service: Service) -> "Journey | None":
        state = session_read(request, STATE)
        if not isinstance(state, dict) or state.get("service") != service.code:
            return None
        return cls(service, state, list(service.questions.all()))

    @classmethod
    def start(cls, request, service: Service) -> "Journey":
        journey = cls(service, new_state(service), list(service.questions.all()))
        journey.save(request)
        return journey

    def save(self, request) -> None:
        session_write(request, STATE, self.state)

    @staticmethod
    def forget(request) -> None:
        session_forget(request, STATE)

    # What the resident answered -------------------------------------------------------------------------------
    def get(self, key: str, default: Any = "") -> Any:
        return self.state.get(key, default)

    def answers(self) -> dict[str, Any]:
        answers = self.state.get("answers")
        return answers if isinstance(answers, dict) else {}

    def photos(self) -> list[dict[str, Any]]:
        photos = self.state.get("photos")
        return [p for p in photos if isinstance(p, dict)] if isinstance(photos, list) else []

    @property
    def is_anonymous(self) -> bool:
        return self.state.get("identity") == "anonymous"

    def update(self, step_name: str, **values: Any) -> None:
        self.state.update(values)
        done = [name for name in self.state.get("done", []) if name != step_name]
        self.state["done"] = [*done, step_name]

    def is_done(self, step_name: str) -> bool:
        return step_name in self.state.get("done", [])

    # The pages, in order ----------------------------------------------------------------------------------------
    def _url(self, name: str, **kwargs: str) -> str:
        return reverse(f"portal:{name}", kwargs={"code": self.service.code, **kwargs})

    def steps(self) -> list[Step]:
        steps = [Step(f"question:{q.code}", self._url("question", question=q.code), q.prompt) for q in self.questions]
        steps.append(Step("description", self._url("description"), "Description"))
        if self.service.needs_location:
            steps.append(Step("postcode", self._url("postcode"), "Postcode"))
            steps.append(Step("address", self._url("address"), "Location"))
        steps.append(Step("photos", self._url("photos"), "Photos"))
        if anonymous_allowed(self.service):
            steps.append(Step("about_you", self._url("about_you"), "Contact details"))
        if not self.is_anonymous:
            steps.append(Step("contact", self._url("contact"), "Your details"))
            steps.append(Step("preferences", self._url("preferences"), "Contact preferences"))
        return steps

    def step(self, name: str) -> Step:
        return next(step for step in self.steps() if step.name == name)

    def start_url(self) -> str:
        return self._url("start")

    def check_url(self) -> str:
        return self._url("check")

    def first_incomplete(self) -> Step | None:
        return next((step for step in self.steps() if not self.is_done(step.name)), None)

    def previous_url(self, name: str, *, changing: bool = False) -> str:
        if changing:
            return self.check_url()
        names = [step.name for step in self.steps()]
        position = names.index(name) if name in names else 0
        return self.steps()[position - 1].url if position > 0 else self.start_url()

    def next_url(self, name: str, *, changing: bool = False) -> str:
        """After a page is saved: the next page, or back to check your answers when changing an answer (unless
        the change opened pages not yet answered, like giving contact details after choosing anonymity)."""
        if changing:
            missing = self.first_incomplete()
            return missing.url if missing else self.check_url()
        steps = self.steps()
        names = [step.name for step in steps]
        position = names.index(name) if name in names else -1
        return steps[position + 1].url if position + 1 < len(steps) else self.check_url()
