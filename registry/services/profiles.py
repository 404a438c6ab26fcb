"""Threshold profiles stored with their versions.

Every version of a profile is a row and stays readable; the newest is ``current``.
A version's ``definition`` is the profile as JSON (``thresholds.profile_to_dict``) with
the stored version number, and ``digest`` hashes everything but that number, so the
same rules submitted again (or a shipped file whose version was not bumped) make no
new version, and any changed figure or text does.

Shipped profiles (the YAML files in ``registry/thresholds/profiles``) are loaded by
``flask --app wsgi db upgrade`` (after the schema is at head) and by
``flask --app wsgi profiles load`` (:func:`sync_shipped`): a file is compared with the last version loaded
*from that file*, so an administrator's custom version is not undone by a reload
unless the shipped file itself changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import thresholds
from registry.errors import NotFound
from registry.models import Job, ProfileVersion


@dataclass(frozen=True)
class Stored:
    """What storing a profile did: the current row, and the version it replaced."""

    row: ProfileVersion
    previous_version: int | None
    changed: bool


def content_digest(profile: thresholds.Profile) -> str:
    """The engine's digest of the profile with its version number left out."""
    return thresholds.profile_digest(replace(profile, version=0))


def list_current(session: Session) -> list[ProfileVersion]:
    return list(
        session.scalars(
            sa.select(ProfileVersion).where(ProfileVersion.current).order_by(ProfileVersion.code)
        )
    )


def current_names(session: Session) -> list[tuple[str, str]]:
    """(code, name) of each current profile, by code: what a list of choices needs,
    without reading the definitions."""
    return [
        (code, name)
        for code, name in session.execute(
            sa.select(ProfileVersion.code, ProfileVersion.name)
            .where(ProfileVersion.current)
            .order_by(ProfileVersion.code)
        )
    ]


def get_current(session: Session, code: str) -> ProfileVersion:
    profile = session.scalar(
        sa.select(ProfileVersion).where(ProfileVersion.code == code, ProfileVersion.current)
    )
    if profile is None:
        raise NotFound(f"no profile {code!r}")
    return profile


def get_version(session: Session, code: str, version: int) -> ProfileVersion:
    profile = session.scalar(
        sa.select(ProfileVersion).where(
            ProfileVersion.code == code, ProfileVersion.version == version
        )
    )
    if profile is None:
        raise NotFound(f"no version {version} of profile {code!r}")
    return profile


def versions(session: Session, code: str) -> list[ProfileVersion]:
    rows = list(
        session.scalars(
            sa.select(ProfileVersion)
            .where(ProfileVersion.code == code)
            .order_by(ProfileVersion.version.desc())
        )
    )
    if not rows:
        raise NotFound(f"no profile {code!r}")
    return rows


# Stored versions never change, so one engine profile per (code, version, digest).
_COMPILED: dict[tuple[str, int, str], thresholds.Profile] = {}


def compiled(row: ProfileVersion) -> thresholds.Profile:
    """The engine's profile for a stored version (built once per process)."""
    key = (row.code, row.version, row.digest)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = thresholds.profile_from_dict(
            row.definition, origin=f"{row.code} v{row.version}"
        )
    return found


_DEFINITIONS: dict[tuple[str, int, str], Mapping[str, Any]] = {}


def current_definition(session: Session, code: str) -> Mapping[str, Any]:
    """The current version's definition (JSON as stored; read-only), read from the
    database once per process and version: a page that only needs a limit or two looks
    up the version, not the whole document."""
    row = session.execute(
        sa.select(ProfileVersion.id, ProfileVersion.version, ProfileVersion.digest).where(
            ProfileVersion.code == code, ProfileVersion.current
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"no profile {code!r}")
    key = (code, row.version, row.digest)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = _DEFINITIONS[key] = session.execute(
            sa.select(ProfileVersion.definition).where(ProfileVersion.id == row.id)
        ).scalar_one()
    return found


def validate(data: Mapping[str, Any]) -> thresholds.Profile:
    """A profile from submitted JSON; raises ``thresholds.ProfileError`` (errors per field)."""
    return thresholds.profile_from_dict(data, origin="request")


def store(session: Session, profile: thresholds.Profile, *, shipped: bool) -> Stored:
    """Make ``profile`` the current version of its code unless its content is unchanged.

    The new version number is the submitted one when it is higher than any stored
    version of the code, else one more than the highest stored.
    """
    current = session.scalar(
        sa.select(ProfileVersion).where(ProfileVersion.code == profile.code, ProfileVersion.current)
    )
    digest = content_digest(profile)
    if current is not None and current.digest == digest:
        return Stored(current, current.version, changed=False)
    top = session.scalar(
        sa.select(sa.func.max(ProfileVersion.version)).where(ProfileVersion.code == profile.code)
    )
    version = profile.version if top is None else max(profile.version, top + 1)
    definition = {**thresholds.profile_to_dict(profile), "version": version}
    if current is not None:
        current.current = False
        session.flush()  # one current row per code at any moment
    row = ProfileVersion(
        code=profile.code,
        version=version,
        name=profile.name,
        jurisdiction=profile.jurisdiction,
        effective=profile.effective,
        digest=digest,
        definition=definition,
        shipped=shipped,
        current=True,
    )
    session.add(row)
    session.flush()
    return Stored(row, current.version if current is not None else None, changed=True)


def last_shipped(session: Session, code: str) -> ProfileVersion | None:
    return session.scalar(
        sa.select(ProfileVersion)
        .where(ProfileVersion.code == code, ProfileVersion.shipped)
        .order_by(ProfileVersion.version.desc())
        .limit(1)
    )


def load_shipped(session: Session) -> list[Stored]:
    """Store each shipped profile whose file differs from the version last loaded from it.

    Returns what changed (new codes and new versions), to be re-judged.
    """
    changed = []
    for profile in thresholds.load_shipped_profiles():
        loaded = last_shipped(session, profile.code)
        if loaded is not None and loaded.digest == content_digest(profile):
            continue
        stored = store(session, profile, shipped=True)
        if stored.changed:
            changed.append(stored)
    return changed


def sync_shipped(session: Session, *, actor: str) -> tuple[list[Stored], int | None]:
    """Store the shipped profiles that changed, with an audit entry each, and queue the
    re-judgement of every batch under them; returns what changed and the job's id."""
    changed = load_shipped(session)
    job = _put_in_force(session, changed, actor=actor, action="profile.load")
    return changed, job.id if job else None


def save(
    session: Session, profile: thresholds.Profile, *, actor: str, request_id: str | None = None
) -> tuple[Stored, Job | None]:
    """Add or change a custom profile (the admin API's ``PUT``): a change becomes a new
    version, with an audit entry, and queues the re-judgement of every batch under it
    (the job; None when the same rules were already current)."""
    stored = store(session, profile, shipped=False)
    job = _put_in_force(
        session,
        [stored] if stored.changed else [],
        actor=actor,
        action="profile.save",
        request_id=request_id,
    )
    return stored, job


def _put_in_force(
    session: Session,
    changed: list[Stored],
    *,
    actor: str,
    action: str,
    request_id: str | None = None,
) -> Job | None:
    """The one way a stored profile version comes into force: an audit entry per new
    version, and a job re-judging every batch under them."""
    from registry.services import audit, rejudge

    for stored in changed:
        audit.record(
            session,
            actor=actor,
            action=action,
            obj=stored.row,
            request_id=request_id,
            details={
                "code": stored.row.code,
                "version": stored.row.version,
                "previous_version": stored.previous_version,
            },
        )
    return rejudge.enqueue(session, [s.row for s in changed], actor=actor) if changed else None
