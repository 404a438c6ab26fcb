"""Vendors, products, labs and batches: find them by any spelling, or create them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.db import utcnow
from registry.errors import Conflict, NotFound
from registry.models import Batch, Certificate, Lab, Product, Vendor, VendorAlias
from registry.services.names import lot_key, name_key, slugify


def find_vendor(session: Session, name: str) -> Vendor | None:
    """The vendor any of whose aliases folds to the same key as ``name``."""
    key = name_key(name)
    return session.scalar(sa.select(Vendor).join(VendorAlias).where(VendorAlias.key == key))


def vendor_by_slug(session: Session, slug: str) -> Vendor:
    vendor = session.scalar(sa.select(Vendor).where(Vendor.slug == slug))
    if vendor is None:
        raise NotFound(f"no vendor {slug!r}")
    return vendor


def get_or_create_vendor(session: Session, name: str) -> Vendor:
    vendor = find_vendor(session, name)
    if vendor is not None:
        return vendor
    key = name_key(name)
    vendor = Vendor(name=name, slug=_free_slug(session, slugify(key)))
    vendor.aliases.append(VendorAlias(alias=name, key=key))
    session.add(vendor)
    session.flush()
    return vendor


def add_alias(session: Session, vendor: Vendor, alias: str) -> None:
    """Attach another spelling to ``vendor`` (admin merge of spellings)."""
    other = find_vendor(session, alias)
    if other is not None and other.id != vendor.id:
        raise Conflict(f"{alias!r} already names vendor {other.slug!r}")
    if other is None:
        session.add(VendorAlias(vendor=vendor, alias=alias, key=name_key(alias)))
        session.flush()


def _free_slug(session: Session, base: str) -> str:
    taken = set(
        session.scalars(
            sa.select(Vendor.slug).where(sa.or_(Vendor.slug == base, Vendor.slug.like(f"{base}-%")))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def get_or_create_product(session: Session, vendor: Vendor, name: str) -> Product:
    key = name_key(name)
    product = session.scalar(
        sa.select(Product).where(Product.vendor_id == vendor.id, Product.key == key)
    )
    if product is None:
        product = Product(vendor=vendor, name=name, key=key)
        session.add(product)
        session.flush()
    return product


def get_or_create_lab(session: Session, name: str, accreditation: str | None) -> Lab:
    key = name_key(name)
    lab = session.scalar(sa.select(Lab).where(Lab.key == key))
    if lab is None:
        lab = Lab(name=name, key=key, accreditation=accreditation)
        session.add(lab)
        session.flush()
    elif accreditation and not lab.accreditation:
        lab.accreditation = accreditation
    return lab


def get_or_create_batch(
    session: Session, vendor: Vendor, lot: str, product: Product | None
) -> Batch:
    key = lot_key(lot)
    batch = session.scalar(
        sa.select(Batch).where(Batch.vendor_id == vendor.id, Batch.lot_key == key)
    )
    if batch is None:
        batch = Batch(vendor=vendor, lot=lot, lot_key=key, product=product)
        session.add(batch)
        session.flush()
    elif product is not None and batch.product_id is None:
        batch.product = product
    return batch


def touch_batch(batch: Batch, tested: date | None, lab_name: str | None) -> None:
    """Refresh the denormalised search columns after a certificate joins the batch."""
    if tested and (batch.tested is None or tested > batch.tested):
        batch.tested = tested
    words = [
        batch.vendor.name,
        batch.lot,
        batch.product.name if batch.product else "",
        lab_name or "",
    ]
    old = batch.search_text or ""
    new = " ".join(w for w in words if w).casefold()
    batch.search_text = new if not old else " ".join(dict.fromkeys((old + " " + new).split()))
    batch.updated_at = utcnow()


def refresh_batch(session: Session, batch: Batch) -> None:
    """Compute the batch's denormalised search columns again from its certificates (after
    a reviewer moved one in or out, or corrected a date or a name): the latest test date
    and the words of its vendor, lot, product and labs."""
    session.flush()
    rows = session.execute(
        sa.select(sa.func.coalesce(Certificate.tested, Certificate.reported), Lab.name)
        .outerjoin(Lab, Lab.id == Certificate.lab_id)
        .where(Certificate.batch_id == batch.id)
    ).all()
    dates = [d for d, _ in rows if d is not None]
    batch.tested = max(dates) if dates else None
    words = [
        batch.vendor.name,
        batch.lot,
        batch.product.name if batch.product else "",
        *(lab for _, lab in rows if lab),
    ]
    batch.search_text = " ".join(dict.fromkeys(" ".join(w for w in words if w).casefold().split()))
    batch.updated_at = utcnow()
