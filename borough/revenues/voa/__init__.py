"""Reading the Valuation Office Agency's lists: council tax band lists and schedules, the non-domestic rating list."""
