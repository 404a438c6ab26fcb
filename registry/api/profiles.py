"""``/api/v1/profiles``: threshold profiles, their rules and sources, their versions;
admins add or change custom profiles, which re-judges every batch in the background."""

from __future__ import annotations

from typing import Any

from flask import g, url_for
from flask.views import MethodView

from registry import tasks, thresholds, unit_of_work
from registry.api.auth import require, required
from registry.api.smorest import Blueprint
from registry.errors import Unprocessable
from registry.extensions import db
from registry.models import Job, ProfileVersion, TokenRole
from registry.schemas.profiles import (
    JobSchema,
    ProfileDefinitionSchema,
    ProfileSavedSchema,
    ProfileVersionSchema,
    StoredProfileSchema,
)
from registry.services import audit, jobs, profiles

blp = Blueprint("profiles", __name__, description="Threshold profiles")


def render_job(job: Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        **{c: getattr(job, c) for c in JobSchema().fields if hasattr(job, c)},
        "progress": (job.done / job.total) if job.total else (1.0 if job.finished_at else None),
        "url": url_for("profiles.JobById", job_id=job.id),
    }


@blp.route("/profiles")
class Profiles(MethodView):
    @blp.response(200, StoredProfileSchema(many=True))
    def get(self) -> Any:
        """Every current profile."""
        return profiles.list_current(db.session)


@blp.route("/profiles/<code>")
class ProfileByCode(MethodView):
    @blp.response(200, StoredProfileSchema)
    def get(self, code: str) -> Any:
        """One profile's current version with its rules and sources."""
        return profiles.get_current(db.session, code)

    @required(TokenRole.ADMIN)
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ProfileDefinitionSchema)
    @blp.response(200, ProfileSavedSchema)
    @blp.alt_response(201, schema=ProfileSavedSchema, description="a new profile code")
    def put(self, profile: thresholds.Profile, code: str) -> Any:
        """Add or change a profile (admin). A change becomes a new version, and every
        batch is re-judged under it in the background (follow ``job.url``)."""
        token = g.token
        if profile.code != code:
            raise Unprocessable(
                "the profile's code must match the URL", errors={"code": [f"expected {code!r}"]}
            )
        actor, request_id = audit.actor_of(token), g.get("request_id")
        stored, job = unit_of_work.commit(
            db.session,
            lambda: profiles.save(db.session, profile, actor=actor, request_id=request_id),
        )
        if job is not None:
            tasks.submit(job.id)
        body = {
            **_fields(stored.row),
            "changed": stored.changed,
            "previous_version": stored.previous_version,
            "job": render_job(job),
        }
        return body, 201 if stored.changed and stored.previous_version is None else 200


def _fields(row: ProfileVersion) -> dict[str, Any]:
    return {c: getattr(row, c) for c in StoredProfileSchema().fields if hasattr(row, c)}


@blp.route("/profiles/<code>/versions")
class ProfileVersions(MethodView):
    @blp.response(200, ProfileVersionSchema(many=True))
    def get(self, code: str) -> Any:
        """Every version of a profile, newest first."""
        return [
            {
                **_fields(row),
                "url": url_for("profiles.ProfileVersionByNumber", code=code, version=row.version),
            }
            for row in profiles.versions(db.session, code)
        ]


@blp.route("/profiles/<code>/versions/<int:version>")
class ProfileVersionByNumber(MethodView):
    @blp.response(200, StoredProfileSchema)
    def get(self, code: str, version: int) -> Any:
        """One version of a profile, current or not."""
        return profiles.get_version(db.session, code, version)


@blp.route("/jobs/<int:job_id>")
class JobById(MethodView):
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, JobSchema)
    def get(self, job_id: int) -> Any:
        """A background job's progress (admin)."""
        require(TokenRole.ADMIN)
        return render_job(jobs.get(db.session, job_id))
