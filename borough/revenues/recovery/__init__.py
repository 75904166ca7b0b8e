"""Recovery of unpaid council tax and business rates: the daily run, notices, the summons list, liability orders,
officers' holds and arrangements to pay. The rules are in borough.revenues.calc.recovery."""
