"""Open data: a period's de-identified results, published as a frozen snapshot (issue 15)."""
