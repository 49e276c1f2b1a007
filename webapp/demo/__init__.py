"""Demo data (``flask demo-data``): real office names, accounts and two half-years of answers."""
