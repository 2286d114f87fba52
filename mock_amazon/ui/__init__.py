"""The dashboard at /_testbed/ui: one page and its script, served by the mock itself. The page is a client of the
control API (/_testbed/...) only: its script calls those routes, so everything it shows or does can be scripted
too. This blueprint serves the template and the static files, nothing else, and reads no state."""
from __future__ import annotations

from flask import Blueprint, render_template

ui = Blueprint("ui", __name__, url_prefix="/_testbed/ui", template_folder="templates", static_folder="static",
               static_url_path="/static")


@ui.get("")
@ui.get("/")
def dashboard() -> str:
    return render_template("dashboard.html")
