"""Who sells what: vendors (with aliases), their products and batches, and labs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import Base, TimestampMixin


class Vendor(TimestampMixin, Base):
    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    slug: Mapped[str] = mapped_column(sa.String(300), unique=True)

    aliases: Mapped[list[VendorAlias]] = relationship(
        back_populates="vendor", cascade="all, delete-orphan"
    )


class VendorAlias(Base):
    """Every spelling seen for a vendor, keyed by its normalised form."""

    __tablename__ = "vendor_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("vendors.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(sa.String(300))
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)

    vendor: Mapped[Vendor] = relationship(back_populates="aliases")


class Product(TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (sa.UniqueConstraint("vendor_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(500))
    key: Mapped[str] = mapped_column(sa.String(500), index=True)
    serving_g: Mapped[float | None]
    servings_per_day: Mapped[float | None]
    # leaf_powder, capsules, extract, tablet, liquid_shot, other; NULL while unknown
    # (``thresholds.FORMS``): from the uploader, else from the COA's product words.
    form: Mapped[str | None] = mapped_column(sa.String(20))

    vendor: Mapped[Vendor] = relationship()


class Lab(TimestampMixin, Base):
    __tablename__ = "labs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    key: Mapped[str] = mapped_column(sa.String(500), unique=True)
    accreditation: Mapped[str | None] = mapped_column(sa.String(500))


class Batch(TimestampMixin, Base):
    """One lot of one vendor. ``lot_key`` is the lot with spaces, dashes, dots and case folded."""

    __tablename__ = "batches"
    __table_args__ = (
        sa.UniqueConstraint("vendor_id", "lot_key"),
        # Newest first. On PostgreSQL its entries carry search_text, so that a page of a
        # common word walks the index alone (registry.services.search, ``walk``).
        sa.Index("ix_batches_tested_id", "tested", "id", postgresql_include=["search_text"]),
        sa.Index(
            "ix_batches_vendor_id_tested_id", "vendor_id", "tested", "id"
        ),  # a vendor's newest first
        # Lot search is a prefix match (LIKE 'KEY%'): pattern ops make it indexable on
        # PostgreSQL under any collation; SQLite searches the plain index by range.
        sa.Index(
            "ix_batches_lot_key", "lot_key", postgresql_ops={"lot_key": "varchar_pattern_ops"}
        ),
        # Free text: a pg_trgm GIN index serves LIKE '%word%' on PostgreSQL; on SQLite a
        # plain index, narrower than the table, that a scan for words reads instead.
        sa.Index(
            "ix_batches_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    lot: Mapped[str] = mapped_column(sa.String(200))
    lot_key: Mapped[str] = mapped_column(sa.String(200))  # indexed in __table_args__
    # Denormalised from the batch's certificates so that search needs no aggregate:
    tested: Mapped[date | None]  # latest test date of any certificate
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime | None]

    vendor: Mapped[Vendor] = relationship()
    product: Mapped[Product | None] = relationship()
