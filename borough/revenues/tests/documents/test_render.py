"""The shared renderer other documents use (recovery notices): a letter from the base template, and nothing
fetched from outside the document; what makes it fast: the stylesheet parsed once, closing pages laid out once and
shared, the pages' references kept while a print file is written."""

import pydyf
import pytest

from borough.revenues.documents import render
from borough.revenues.documents.render import _shared, pdf_of, render_document, render_pdf
from borough.revenues.tests.documents.pdftext import pdf_objects, pdf_pages

NOTES = "revenues/documents/_council_tax_notes.html"

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


def test_the_stylesheet_is_parsed_once_and_used_by_every_document(db, monkeypatch):
    stylesheet = _shared()[0]
    # Were print.css read again, this would fail: the parsed one is used.
    monkeypatch.setattr(render, "PRINT_STYLESHEET", render.PRINT_STYLESHEET.with_name("missing.css"))
    assert _shared()[0] is stylesheet
    [page] = pdf_pages(render_pdf("revenues/documents/base.html", LETTER))
    assert "Page 1 of 1" in page


def test_closing_pages_are_laid_out_once_shared_and_numbered_in_each_document(db):
    first = render_document("revenues/documents/base.html", {**LETTER, "council": {**LETTER["council"]}},
                            closing_template=NOTES)  # fmt: skip
    second = render_document("revenues/documents/base.html", {**LETTER, "reference": "Reminder, account NOR-000002"},
                             closing_template=NOTES)  # fmt: skip
    assert len(first.pages) == len(second.pages) == 2
    assert first.pages[1] is second.pages[1] and first.pages[0] is not second.pages[0]
    pages = pdf_pages(pdf_of([first, second]))
    assert "Reminder, account NOR-000002" in pages[2] and "Page 1 of 2" in pages[2]
    # The notes start a page of their own, whose footer names them; the letter's own page has none of them.
    assert pages[3].startswith("Explanatory notes Valuation bands") and "Explanatory notes Page 2 of 2" in pages[3]
    assert "Valuation bands" not in pages[2] and pages[1] == pages[3]
    # Other text gets its own layout.
    other = render_document("revenues/documents/base.html", {**LETTER, "council": {"name": "Southfield Council"}},
                            closing_template=NOTES)  # fmt: skip
    assert other.pages[1] is not first.pages[1] and "Southfield Council." in pdf_pages(pdf_of([other]))[1]


def test_closing_pages_count_the_pages_before_them(db):
    long_letter = {**LETTER, "reference": "A long reminder. " * 1200}
    pages = pdf_pages(pdf_of([render_document("revenues/documents/base.html", long_letter, closing_template=NOTES)]))
    assert len(pages) > 2 and pages[-1].endswith(f"Explanatory notes Page {len(pages)} of {len(pages)}")
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "Valuation bands" not in pages[-2] and "Valuation bands" in pages[-1]


def test_a_template_without_room_for_closing_pages_is_refused(db):
    with pytest.raises(ValueError, match="leaves no room for its closing pages"):
        render_document("revenues/documents/closing.html", {"skipped": range(0)}, closing_template=NOTES)


def test_shared_closing_pages_are_tagged_in_every_document_of_a_print_file(db):
    documents = [render_document("revenues/documents/base.html", LETTER, closing_template=NOTES) for _ in range(3)]
    heads = [head for head, _data in pdf_objects(pdf_of(documents)).values()]
    # The notes' eleven H3 headings, once for each letter, each a structure element of its own page.
    headings = [head for head in heads if "/S /H3" in head]
    assert len(headings) == 3 * 11
    pages = {head.split("/Pg ")[1].split(" R")[0] for head in headings}
    assert len(pages) == 3


def test_the_pages_references_are_kept_until_a_page_is_added():
    _shared()
    pdf = pydyf.PDF()
    assert pdf.page_references == ()
    for count in (1, 2):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references is pdf.page_references and len(pdf.page_references) == count
    assert pdf.page_references == tuple(f"{number} 0 R".encode() for number in pdf.pages["Kids"][::3])
    render._page_references_kept()  # a second time changes nothing
    assert pydyf.PDF.page_references.fget.kept
