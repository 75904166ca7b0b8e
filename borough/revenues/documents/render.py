"""Templates to PDF with WeasyPrint, for bills and notices.

A4, one shared print stylesheet (print.css), tagged for assistive technology (PDF/UA-1: structure tags, language,
title), and nothing fetched from anywhere: fonts are the machine's own and styles come from this package, so a
document can neither leak a request nor change with a remote file.

    pdf = render_pdf("revenues/documents/council_tax_bill.html", context)
    pdf = pdf_of([render_document(template, context) for context in many])   # each from a new page
"""

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

PRINT_STYLESHEET = Path(__file__).with_name("print.css")
# Given both when laying out (the tags) and when writing (the metadata, the structure tree).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@cache
def _shared():
    """The parsed stylesheet and font configuration, once per process: parsing them is a good part of a small
    document's cost. Imported here: WeasyPrint loads its fonts and libraries on import, which only PDFs need."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    fonts = FontConfiguration()
    stylesheet = CSS(string=PRINT_STYLESHEET.read_text(encoding="utf-8"), font_config=fonts)
    # Only data: URLs (inline images): no file, no network. One fetcher: each builds an SSL context (0.1 s).
    return stylesheet, fonts, URLFetcher(allowed_protocols=["data"])


def render_document(template_name: str, context: dict[str, Any]):
    """Lay out one document (a weasyprint.Document): its pages can be counted, or joined with others."""
    from weasyprint import HTML

    stylesheet, fonts, fetcher = _shared()
    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet], font_config=fonts, **PDF_OPTIONS)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """One template rendered to a PDF."""
    return pdf_of([render_document(template_name, context)])


def pdf_of(documents: Sequence[Any]) -> bytes:
    """Documents laid out by render_document joined into one PDF, each starting on a new page (a print file)."""
    if not documents:
        raise ValueError("Give at least one document")
    if len(documents) == 1:
        return documents[0].write_pdf(**PDF_OPTIONS)
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(**PDF_OPTIONS)
