"""Revenues documents: bills as PDFs (WeasyPrint) with the statutory information and "why is my bill this
amount", e-billing through the outbox, and the print file for the rest (run kind `revenues.bill_print`).

Import from the modules: `render` (render_pdf, for any revenues notice), `bills` (bill_pdf), `explanation`
(bill_explanation), `delivery` (bill_send), `print_run`.
"""
