"""Responses that arrive outside the web form: paper questionnaires keyed into a CSV
(``flask responses template|import``)."""
