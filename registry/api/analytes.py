"""``/api/v1/analytes``: every analyte with its code, names, symbols and category."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView

from registry.api.smorest import Blueprint
from registry.schemas.analytes import AnalyteListSchema
from registry.services import analytes

blp = Blueprint("analytes", __name__, description="Analytes and the names that find them")


@blp.route("/analytes")
class Analytes(MethodView):
    @blp.response(200, AnalyteListSchema)
    def get(self) -> Any:
        """Every analyte: search's ``analyte`` filter takes its code, name or symbol in any case."""
        return {"items": [asdict(a) for a in analytes.catalogue()]}
