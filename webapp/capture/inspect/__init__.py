"""Inspectors' phone-courtesy tests and mystery-shopper visits (``/inspect/``): drafts, submit, score."""
