"""The analysts' half-year report and data-quality flags (``/reports/``, ``flask report``).

``build`` turns SQL count tables into the report dictionary, ``files`` writes it out (HTML,
JSON, XLSX, ODS, charts), ``quality`` runs the data-quality screens.
"""
