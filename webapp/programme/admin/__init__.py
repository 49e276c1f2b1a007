"""Administrators: offices, accounts, kiosks, instrument versions, the audit log (``/admin/``),
and the matching command-line tools (``flask offices|instruments|users``)."""
