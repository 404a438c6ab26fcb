"""``/api/v1/certificates``: upload a COA, read it back, fetch the original PDF."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app, g, url_for
from flask.views import MethodView

from registry.api.auth import required
from registry.api.smorest import MULTIPART, Blueprint
from registry.errors import NotFound
from registry.extensions import db
from registry.models import Certificate, CertificateStatus, TokenRole
from registry.schemas.certificates import (
    CertificateListArgs,
    CertificatePageSchema,
    CertificateSchema,
    UploadSchema,
)
from registry.services import audit, certificates, review, verdicts
from registry.storage import get_storage
from registry.tasks import parsing

blp = Blueprint("certificates", __name__, description="Certificates of analysis (COA PDFs)")


def render(cert: Certificate) -> dict[str, Any]:
    """The certificate with its batch's verdicts and links, for CertificateSchema."""
    return {
        **{c: getattr(cert, c) for c in CertificateSchema().fields if hasattr(cert, c)},
        "verdicts": verdicts.for_batch(db.session, cert.batch_id) if cert.batch_id else [],
        "pdf_url": url_for("certificates.CertificatePdf", certificate_id=cert.id),
    }


@blp.route("/certificates")
class Certificates(MethodView):
    @blp.arguments(CertificateListArgs(), location="query", unknown=ma.RAISE)
    @blp.response(200, CertificatePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """List certificates (newest upload first): ``status=needs_review&status=unreadable&order=oldest``
        is the review queue."""
        filters = review.CertificateFilters(
            status=tuple(args.get("status") or ()),
            vendor=args.get("vendor"),
            lab=args.get("lab"),
            uploaded_after=args.get("uploaded_after"),
            uploaded_before=args.get("uploaded_before"),
        )
        page = review.list_certificates(
            db.session,
            filters,
            page=args["page"],
            per_page=args["per_page"],
            oldest_first=args["order"] == "oldest",
        )
        for item in page.items:
            item["url"] = url_for("certificates.CertificateById", certificate_id=item["id"])
            item["pdf_url"] = url_for("certificates.CertificatePdf", certificate_id=item["id"])
        return {
            "items": page.items,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }

    @required(TokenRole.UPLOADER)  # before the body is read: a stranger gets 401, not 422
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(UploadSchema, location=MULTIPART)
    @blp.response(201, CertificateSchema)
    @blp.alt_response(
        200, schema=CertificateSchema, description="the same bytes were uploaded before"
    )
    @blp.alt_response(
        202,
        schema=CertificateSchema,
        description=(
            "stored and recorded, still being read (status `processing`): poll the certificate "
            "at `Location` until its status changes"
        ),
    )
    def post(self, form: dict[str, Any]) -> Any:
        """Upload a COA PDF (uploader or admin token).

        The file is stored and recorded, then read in the background; the answer waits up
        to ``REGISTRY_UPLOAD_WAIT_S`` (10 s) for the reading: 201 when it is over, 202 with
        the certificate still ``processing`` otherwise."""
        token = g.token
        file = form.pop("file")
        upload = certificates.Upload(data=file.read(), filename=file.filename, **form)
        cert, created = parsing.upload(
            upload,
            uploader_id=token.id,
            actor=audit.actor_of(token),
            request_id=g.get("request_id"),
        )
        current_app.extensions["registry.metrics"].uploads.labels(
            cert.status.value if created else "duplicate"
        ).inc()
        code = 200 if not created else 202 if cert.status is CertificateStatus.PROCESSING else 201
        location = url_for("certificates.CertificateById", certificate_id=cert.id)
        return render(cert), code, {"Location": location}


@blp.route("/certificates/<int:certificate_id>")
class CertificateById(MethodView):
    @blp.response(200, CertificateSchema)
    def get(self, certificate_id: int) -> Any:
        """A certificate: its parse document, results, batch and verdicts."""
        return render(certificates.get(db.session, certificate_id))


@blp.route("/certificates/<int:certificate_id>/pdf")
class CertificatePdf(MethodView):
    @blp.response(200, content_type="application/pdf", description="the original bytes")
    def get(self, certificate_id: int) -> Response:
        """The original PDF, byte for byte."""
        cert = certificates.get(db.session, certificate_id)
        try:
            data = get_storage().open(cert.sha256)
        except KeyError:
            raise NotFound("the original file is missing from storage") from None
        resp = current_app.response_class(data, mimetype="application/pdf")
        resp.headers["Content-Disposition"] = f'inline; filename="certificate-{cert.id}.pdf"'
        resp.headers["ETag"] = f'"{cert.sha256}"'
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return resp
