"""Billing: compute, bill_issue/bill_amend, the annual run (dry and real), the command and the staff page."""
