"""The accessibility statement: what level the site aims at, how it is tested, what is known
not to meet it, and whom to tell.  Public, in both languages, linked from every page's footer."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("about", __name__, template_folder="templates")


@bp.get("/accessibility")
def accessibility():
    return render_template("about/accessibility.html")
