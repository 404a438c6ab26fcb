"""Every table of the registry, importable from one place (Alembic reads this)."""

from registry.models.alerts import (
    Channel,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Signup,
    Subscription,
    SubscriptionStatus,
)
from registry.models.audit import AuditEvent
from registry.models.catalog import Batch, Lab, Product, Vendor, VendorAlias
from registry.models.certificates import Certificate, CertificateStatus, Result
from registry.models.jobs import Job, JobStatus
from registry.models.search import BatchTerm
from registry.models.tokens import ApiToken, TokenRole
from registry.models.verdicts import OutboxEvent, ProfileVersion, VerdictChange, VerdictRecord

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Batch",
    "BatchTerm",
    "Certificate",
    "CertificateStatus",
    "Channel",
    "Delivery",
    "DeliveryKind",
    "DeliveryStatus",
    "Job",
    "JobStatus",
    "Lab",
    "OutboxEvent",
    "Product",
    "ProfileVersion",
    "Result",
    "Signup",
    "Subscription",
    "SubscriptionStatus",
    "TokenRole",
    "Vendor",
    "VendorAlias",
    "VerdictRecord",
    "VerdictChange",
]
