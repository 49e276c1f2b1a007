"""Reviewers approve inspectors' records or return them with a comment (``/review/``)."""
