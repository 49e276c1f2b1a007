"""The read API, /api/v1: offices, periods and published results for anyone; de-identified
responses for tokens with the analyst scope (issue 15)."""
