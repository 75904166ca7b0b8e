"""Billing: a bill from a year's charge (compute), issuing and amending bills (services), the annual run (runs),
and its staff page (views)."""
