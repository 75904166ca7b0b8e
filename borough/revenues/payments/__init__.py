"""Money in and out of revenues accounts: balances and allocation, payment files, card payments, refunds and
direct debit (mandates, AUDDIS, BACS Standard 18 collections, ARUDD returns)."""
