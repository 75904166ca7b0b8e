"""What can be checked of accessibility without a browser, on every revenues page: one h1, every input labelled,
and every link of an error summary reaching the input it names (WCAG 2.2 1.3.1, 2.4.6, 3.3.1, 4.1.2)."""

from html.parser import HTMLParser

import pytest

from borough.revenues.tests.web.test_portal import proven


class Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.ids: set[str] = set()
        self.labels: set[str] = set()
        self.inputs: list[str] = []
        self.summary_links: list[str] = []
        self.in_summary = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and "for" in attrs:
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs.get("id", ""))
        elif tag == "div" and "govuk-error-summary" in attrs.get("class", ""):
            self.in_summary = True
        elif tag == "a" and self.in_summary and attrs.get("href", "").startswith("#"):
            self.summary_links.append(attrs["href"][1:])


def problems(response) -> list[str]:
    page = Structure()
    page.feed(response.content.decode())
    found = [] if page.h1 == 1 else [f"{page.h1} h1 headings"]
    found += [f"input {id_ or '(no id)'} has no label" for id_ in page.inputs if id_ not in page.labels]
    found += [f"error link #{target} reaches nothing" for target in page.summary_links if target not in page.ids]
    return found


PORTAL_FORMS = [
    ("/council-tax/single-person-discount/only-adult/", {}),
    ("/council-tax/single-person-discount/date/", {"day": "40"}),
    ("/council-tax/single-person-discount/contact/", {"email": "x"}),
    ("/council-tax/moving/date/", {}),
    ("/council-tax/moving/new-address/", {"new_postcode": "x"}),
    ("/council-tax/moving/contact/", {}),
    ("/council-tax/ebilling/email/", {}),
]


def test_the_resident_pages(resident, account):
    assert problems(resident.get("/council-tax/")) == []
    assert problems(resident.post("/council-tax/", {"number": "", "postcode": ""})) == []
    assert problems(resident.post("/council-tax/", {"number": "NOR-1", "postcode": "NF1 1AA"})) == []
    proven(resident, account)
    assert problems(resident.get("/council-tax/account/")) == []
    for path, bad in PORTAL_FORMS:
        assert problems(resident.get(path)) == [], path
        response = resident.post(path, bad)
        assert response.status_code == 400 and problems(response) == [], path


@pytest.mark.parametrize("tail", ["", "history/", "move-out/", "reductions/new/"])
def test_the_staff_pages(officer, account, tail):
    path = f"/staff/revenues/accounts/{account.number}/{tail}"
    assert problems(officer.get(path)) == []
    if tail.endswith(("move-out/", "new/")):
        response = officer.post(path, {})
        assert response.status_code == 400 and problems(response) == []


def test_the_search_page(officer, account):
    assert problems(officer.get("/staff/revenues/")) == []
    assert problems(officer.get("/staff/revenues/", {"q": "mill"})) == []
