"""Bill PDF speed (issue 5): council tax bills rendered to PDF a second, with WeasyPrint, in one process and in
several, two ways: one PDF per bill (e-billing) and print files of 100 bills per PDF (the print run's chunks).

    .venv/bin/python -m bench.revenues_pdf_bench --bills 200 --processes 1 2

The bills are a realistic mix built in memory (bands A-H in a typical English spread, a third with single person
discount, some part-year, a few with a premium), rendered through the same code as the print run and e-billing
(`bill_document`, `pdf_of`); no database is touched, so the figure is the rendering alone. Every PDF is checked to
start with %PDF- and the pages are counted.
"""

import argparse
import logging
import os
import random
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()
logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress lines, one per page, are not wanted here

from borough.revenues.documents.bills import bill_document  # noqa: E402
from borough.revenues.documents.context import DocumentFacts  # noqa: E402
from borough.revenues.documents.render import pdf_of  # noqa: E402
from borough.revenues.models import Account, Bill, Dwelling  # noqa: E402

YEAR_DAYS = 365
PRECEPTS = (
    ("billing", "Benchtown District Council", "240.00", "250.00"),
    ("county", "Benchshire County Council", "1500.00", "1550.00"),
    ("adult_social_care", "Benchshire County Council adult social care", "80.00", "100.00"),
    ("police", "Benchshire Police and Crime Commissioner", "266.00", "280.00"),
    ("fire", "Benchshire Fire and Rescue Authority", "80.00", "90.00"),
)
RATIO = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18}
BAND_MIX = ["A"] * 24 + ["B"] * 20 + ["C"] * 22 + ["D"] * 15 + ["E"] * 10 + ["F"] * 5 + ["G"] * 3 + ["H"]
FACTS = DocumentFacts(
    council={
        "name": "Benchtown District Council",
        "address": "Town Hall\nBenchtown BT1 1AA",
        "phone": "01234 567890",
        "website": "https://benchtown.example/",
    },  # fmt: skip
    country="england",
    previous_band_d={(kind, name): Decimal(last) for kind, name, last, _now in PRECEPTS},
)


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):.2f}"


def _plan(balance: Decimal, first: date, count: int) -> list[list[str]]:
    rest = (balance / count).quantize(Decimal("1"))
    months = [date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1) for n in range(count)]
    return [[months[0].isoformat(), _money(balance - rest * (count - 1))]] + [
        [m.isoformat(), _money(rest)] for m in months[1:]
    ]


def make_bill(n: int) -> Bill:
    """A bill as billing writes it, on unsaved model instances."""
    chance = random.Random(n)
    band = chance.choice(BAND_MIX)
    authorities = [
        {"authority": name, "kind": kind, "band_d": now, "band_amount": _money(Decimal(now) * RATIO[band] / 9)}
        for kind, name, _last, now in PRECEPTS
    ]
    full = sum(Decimal(a["band_amount"]) for a in authorities)
    start = date(2026, 4, 1) if chance.random() > 0.08 else date(2026, chance.randint(5, 11), 1)
    days = (date(2027, 3, 31) - start).days + 1
    notes = [f"Band {band}"]
    annual = full
    if chance.random() < 0.33:
        notes.append("Single person discount (25%)")
        annual = (full * Decimal("0.75")).quantize(Decimal("0.01"))
    elif chance.random() < 0.02:
        notes.append("Long-term empty premium (100%)")
        annual = full * 2
    charge = (annual * days / YEAR_DAYS).quantize(Decimal("0.01"))
    dwelling = Dwelling(voa_reference=f"B{n:07d}", band=band, address_line_1=f"{n} Bench Street", town="Benchtown",
                        postcode="BT1 2AB", band_effective_from=date(1993, 4, 1))  # fmt: skip
    account = Account(number=f"BEN-{n:06d}", dwelling=dwelling)
    piece = {"start": start.isoformat(), "end": "2027-03-31", "days": days, "band": band, "authorities": [],
             "annual": _money(annual), "charge": _money(charge), "notes": notes, "reliefs": []}  # fmt: skip
    return Bill(
        account=account,
        financial_year="2026-27",
        kind=Bill.Kind.ANNUAL,
        number=f"2026-27/BEN-{n:06d}",
        issued_on=date(2026, 3, 9),
        charge=charge,
        credited=Decimal("0.00"),
        balance=charge,
        scheme=10,
        instalments=_plan(charge, max(start, date(2026, 4, 1)), 10 if start.month < 7 else 12 - start.month),
        detail={
            "property": {"address": dwelling.address, "band": band, "parish": "", "voa_reference": "x"},
            "liable": [f"Resident {n}"],
            "correspondence_address": "",
            "pieces": [piece],
            "authorities": authorities,
        },  # fmt: skip
    )


def render(numbers: list[int], per_file: int) -> tuple[int, int]:
    """Render the bills: one PDF each (per_file 1) or joined by `per_file`. Returns (bills, pages)."""
    bills = pages = 0
    for at in range(0, len(numbers), per_file):
        documents = [bill_document(make_bill(n), FACTS) for n in numbers[at : at + per_file]]
        pdf = pdf_of(documents)
        assert pdf.startswith(b"%PDF-")
        bills += len(documents)
        pages += sum(len(d.pages) for d in documents)
    return bills, pages


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers, once joined)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(count: int, processes: int, per_file: int) -> tuple[float, float, int]:
    """(bills a second of wall time, CPU seconds a bill, pages)."""
    numbers = list(range(count))
    if processes == 1:
        started, cpu = time.perf_counter(), _cpu_seconds()
        bills, pages = render(numbers, per_file)
    else:
        shares = [numbers[i::processes] for i in range(processes)]
        cpu = _cpu_seconds()
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(render, [[count + 1]] * processes, [1] * processes))  # warm each worker: not timed
            started = time.perf_counter()
            results = list(pool.map(render, shares, [per_file] * processes))
            elapsed = time.perf_counter() - started
        bills, pages = sum(r[0] for r in results), sum(r[1] for r in results)
        # The warm-up's CPU is in the children's total: taken off in proportion (one bill a worker).
        cpu_per_bill = (_cpu_seconds() - cpu) / (count + processes)
        assert bills == count
        return bills / elapsed, cpu_per_bill, pages
    elapsed = time.perf_counter() - started
    assert bills == count
    return bills / elapsed, (_cpu_seconds() - cpu) / count, pages


def main() -> None:
    parser = argparse.ArgumentParser(description="Bill PDFs rendered a second")
    parser.add_argument("--bills", type=int, default=200)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    render([args.bills + 1], 1)  # WeasyPrint's first document loads fonts and libraries: not counted
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{'processes':>9} {'mode':<22} {'bills':>6} {'pages':>6} {'bills/s':>8} {'CPU s/bill':>10}", flush=True)
    for processes in args.processes:
        for per_file, mode in ((1, "one PDF per bill"), (100, "print file, 100 a PDF")):
            rate, cpu, pages = measure(args.bills, processes, per_file)
            print(f"{processes:>9} {mode:<22} {args.bills:>6} {pages:>6} {rate:>8.2f} {cpu:>10.3f}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
