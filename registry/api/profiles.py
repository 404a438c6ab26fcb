"""``/api/v1/profiles``: threshold profiles, their rules and each rule's source."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from registry.extensions import db
from registry.schemas.profiles import ProfileSchema
from registry.services import profiles

blp = Blueprint("profiles", __name__, description="Threshold profiles")


@blp.route("/profiles")
class Profiles(MethodView):
    @blp.response(200, ProfileSchema(many=True))
    def get(self) -> Any:
        """Every current profile."""
        return profiles.list_current(db.session)


@blp.route("/profiles/<code>")
class ProfileByCode(MethodView):
    @blp.response(200, ProfileSchema)
    def get(self, code: str) -> Any:
        """One profile's current version with its rules and sources."""
        return profiles.get_current(db.session, code)
