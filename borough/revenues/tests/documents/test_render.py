"""The shared renderer other documents use (recovery notices): a letter from the base template, and nothing
fetched from outside the document."""

import pytest

from borough.revenues.documents.render import _shared, pdf_of, render_document, render_pdf
from borough.revenues.tests.documents.pdftext import pdf_pages

LETTER = {
    "title": "Reminder",
    "council": {"name": "Northfield District Council", "address": "Town Hall", "phone": "01234 567890"},
    "recipient": {"names": ["Ann Example"], "lines": ["1 Test Street", "Northfield", "NF1 2AB"]},
    "references": [("Account number", "NOR-000001")],
    "reference": "Reminder, account NOR-000001",
}


def test_a_letter_from_the_base_template(db):
    [page] = pdf_pages(render_pdf("revenues/documents/base.html", LETTER))
    assert page.startswith("Northfield District Council Town Hall Telephone 01234 567890 Account number NOR-000001")
    assert "Ann Example 1 Test Street Northfield NF1 2AB" in page and "Page 1 of 1" in page


def test_documents_joined_start_each_on_a_new_page(db):
    documents = [render_document("revenues/documents/base.html", {**LETTER, "title": f"Letter {n}"}) for n in (1, 2)]
    assert len(pdf_pages(pdf_of(documents))) == 2
    with pytest.raises(ValueError, match="at least one"):
        pdf_of([])


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/logo.png", "https://example.org/a.css"])
def test_nothing_is_fetched_but_data_urls(url):
    fetcher = _shared()[2]
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher(url)
    assert fetcher("data:text/plain,inline") is not None
