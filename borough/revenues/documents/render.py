"""Templates to PDF with WeasyPrint, for bills and notices.

A4, one shared print stylesheet (print.css), tagged for assistive technology (PDF/UA-1: structure tags, language,
title), and nothing fetched from anywhere: fonts are the machine's own and styles come from this package, so a
document can neither leak a request nor change with a remote file.

    pdf = render_pdf("revenues/documents/council_tax_bill.html", context)
    pdf = pdf_of([render_document(template, context) for context in many])   # each from a new page

Speed (docs/benchmarks.md, "Bill PDFs"): WeasyPrint's cost is the layout of each line of text, so pages that are
the same on many documents (a bill's explanatory notes) are laid out once per process and shared
(`closing_template`), and a print file of many documents is written without pydyf's per-tag copy of every page's
reference (`_page_references_kept`).
"""

from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

PRINT_STYLESHEET = Path(__file__).with_name("print.css")
CLOSING_TEMPLATE = "revenues/documents/closing.html"
# Given both when laying out (the tags) and when writing (the metadata, the structure tree).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


@cache
def _shared():
    """The parsed stylesheet and font configuration, once per process: parsing them is a good part of a small
    document's cost. Imported here: WeasyPrint loads its fonts and libraries on import, which only PDFs need."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    _page_references_kept()
    fonts = FontConfiguration()
    stylesheet = CSS(string=PRINT_STYLESHEET.read_text(encoding="utf-8"), font_config=fonts)
    # Only data: URLs (inline images): no file, no network. One fetcher: each builds an SSL context (0.1 s).
    return stylesheet, fonts, URLFetcher(allowed_protocols=["data"])


def _page_references_kept() -> None:
    """pydyf's `PDF.page_references` builds a tuple of every page's reference each time it is read, and WeasyPrint's
    tagging reads it once per structure element: quadratic in the pages of a print file (a 300-page print file spent
    a quarter of its time there). The same tuple is kept until a page is added. Idempotent."""
    import pydyf

    built = pydyf.PDF.page_references.fget
    if getattr(built, "kept", False):
        return

    def page_references(pdf):
        count = len(pdf.pages["Kids"])
        kept = pdf.__dict__.get("_kept_page_references")
        if kept is None or kept[0] != count:
            kept = pdf.__dict__["_kept_page_references"] = (count, built(pdf))
        return kept[1]

    page_references.kept = True
    pydyf.PDF.page_references = property(page_references)


def _layout(html: str):
    from weasyprint import HTML

    stylesheet, fonts, fetcher = _shared()
    return HTML(string=html, url_fetcher=fetcher).render(stylesheets=[stylesheet], font_config=fonts, **PDF_OPTIONS)


@lru_cache(maxsize=64)
def _closing_layout(closing: str, skipped: int):
    """The closing pages laid out after `skipped` empty ones, so their footers say "Page n of m" as they will be in
    the document: once per process for each text and position (a print run has a handful)."""
    safe = mark_safe(closing)  # noqa: S308 - rendered (and escaped) by render_to_string in render_document
    document = _layout(render_to_string(CLOSING_TEMPLATE, {"closing": safe, "skipped": range(skipped)}))
    return tuple(document.pages[skipped:])


def render_document(template_name: str, context: dict[str, Any], *, closing_template: str | None = None):
    """Lay out one document (a weasyprint.Document): its pages can be counted, or joined with others.

    `closing_template` renders pages the document ends with that are the same for many documents (a bill's
    explanatory notes): they start a new page, are laid out once (per text, per process) and shared, and only the
    document's own pages are laid out each time. The template extending revenues/documents/base.html leaves room
    for them (`closing_pages`), so its "Page n of m" counts them."""
    if closing_template is None:
        return _layout(render_to_string(template_name, context))
    closing = render_to_string(closing_template, context)
    count = len(_closing_layout(closing, 0))
    document = _layout(render_to_string(template_name, {**context, "closing_pages": range(count)}))
    own = len(document.pages) - count
    if own < 1:
        raise ValueError(f"{template_name} leaves no room for its closing pages: does it extend the base template?")
    return document.copy(document.pages[:own] + list(_closing_layout(closing, own)))


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
