"""The public statements, in both languages, linked from every page's footer: accessibility
(what level the site aims at, how it is tested, what is known not to meet it, and whom to tell)
and privacy (what is stored, why, for how long and who sees it)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("about", __name__, template_folder="templates")


@bp.get("/accessibility")
def accessibility():
    return render_template("about/accessibility.html")


@bp.get("/about/privacy")
def privacy():
    """What is stored, why, for how long and who sees it: the 個人資料保護法's notice, with the
    keeping times the retention job applies (``reporting/retention.py``)."""
    return render_template("about/privacy.html")
