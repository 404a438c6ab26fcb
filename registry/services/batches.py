"""One batch in full: certificates, the results it is judged on, and verdicts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.errors import NotFound
from registry.models import Batch, Certificate
from registry.services import verdicts


def get(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id}")
    return batch


def certificates_of(session: Session, batch_id: int) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .where(Certificate.batch_id == batch_id)
            .order_by(Certificate.tested.desc().nulls_last(), Certificate.id.desc())
        )
    )


def detail(session: Session, batch_id: int, *, profile: str) -> dict[str, Any]:
    batch = get(session, batch_id)
    certs = certificates_of(session, batch_id)
    judged = verdicts.for_batch(session, batch_id)
    current = next((v["status"] for v in judged if v["profile"] == profile), None)
    return {
        "id": batch.id,
        "vendor": batch.vendor,
        "product": batch.product,
        "lot": batch.lot,
        "tested": batch.tested,
        "status": current,
        "profile": profile,
        "certificates": certs,
        "results": verdicts.latest_results(certs),
        "verdicts": judged,
        "history": verdicts.history(session, batch_id),
    }
