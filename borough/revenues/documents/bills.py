"""Bills as PDFs: a council tax bill or a business rates bill, with the statutory information and the plain
"why is my bill this amount" (borough.revenues.documents.explanation)."""

from borough.revenues.documents.context import DocumentFacts, bill_context
from borough.revenues.documents.render import pdf_of, render_document
from borough.revenues.models import Bill

COUNCIL_TAX_TEMPLATE = "revenues/documents/council_tax_bill.html"
BUSINESS_RATES_TEMPLATE = "revenues/documents/business_rates_bill.html"
# The explanatory notes, the same on every bill of a council: laid out once and shared (render.render_document).
NOTES = {
    COUNCIL_TAX_TEMPLATE: "revenues/documents/_council_tax_notes.html",
    BUSINESS_RATES_TEMPLATE: "revenues/documents/_business_rates_notes.html",
}


def bill_document(bill: Bill, facts: DocumentFacts | None = None):
    """The bill laid out (a weasyprint.Document), for its page count or to join it into a print file."""
    context = bill_context(bill, facts)
    template = BUSINESS_RATES_TEMPLATE if context["is_rates"] else COUNCIL_TAX_TEMPLATE
    return render_document(template, context, closing_template=NOTES[template])


def bill_pdf(bill: Bill) -> bytes:
    return pdf_of([bill_document(bill)])
