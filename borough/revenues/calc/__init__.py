"""The revenues engine: council tax and business rates charges, reliefs and instalment plans.

Pure (DESIGN.md): no Django, no database; frozen dataclasses and `Decimal` in, amounts and the steps that
produced them out. Year parameters come from the data files in `borough/revenues/data/` (see `params`).
docs/revenues.md describes the rules and their sources.
"""
