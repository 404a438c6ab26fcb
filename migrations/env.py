"""Alembic environment: the URL and metadata come from the Flask app (Flask-Migrate)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from registry.db import UTCDateTime

config = context.config
if config.config_file_name is not None:
    # Keep the app's own loggers (the default would disable every existing logger).
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def render_item(type_, obj, autogen_context):
    """Write our UTC column type as the plain DateTime(timezone=True) it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search structures that migrations create and no model declares: the SQLite FTS5 table
# over batches.search_text and its shadow tables (batches_fts_data, _idx, _config, ...).
# Autogenerate would otherwise offer to drop them, and ``alembic check`` report drift.
UNMODELLED_TABLES = ("batches_fts",)


def _unmodelled(name):
    return any(name == t or name.startswith(t + "_") for t in UNMODELLED_TABLES)


# PostgreSQL's GIN index of to_tsvector('simple', batches.search_text), made by a
# migration: an expression index that SQLite cannot have, so no model declares it.
UNMODELLED_INDEXES = ("ix_batches_search_tsv",)


def include_name(name, type_, parent_names):
    """Reflect no unmodelled table (an FTS5 virtual table reflects poorly anyway), nor
    an unmodelled index."""
    if type_ == "index" and name in UNMODELLED_INDEXES:
        return False
    return not (type_ == "table" and name is not None and _unmodelled(name))


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and reflected and compare_to is None and _unmodelled(name))


def _options():
    return {
        "target_metadata": target_db.metadata,
        "render_item": render_item,
        "include_name": include_name,
        "include_object": include_object,
        **current_app.extensions["migrate"].configure_args,
    }


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **_options()
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    options = _options()
    options.setdefault("process_revision_directives", process_revision_directives)
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        upgraded_to_head = _is_upgrade() and _at_head(connection)
    if upgraded_to_head:
        _sync_shipped_profiles()


def _is_upgrade():
    """True when this run is ``db upgrade`` (Alembic names the step function after its
    command), not ``check``, ``downgrade``, ``stamp`` or ``revision``."""
    fn = context.get_context().opts.get("fn")
    return getattr(fn, "__name__", None) == "upgrade"


def _at_head(connection):
    from alembic.runtime.migration import MigrationContext

    heads = set(context.script.get_heads())
    return set(MigrationContext.configure(connection).get_current_heads()) == heads


def _sync_shipped_profiles():
    """A migrated database has the shipped threshold profiles in force: without them no
    batch gets a verdict. A changed shipped file becomes a new version and every batch
    is re-judged under it, as ``flask profiles load`` does."""
    from registry import tasks, unit_of_work
    from registry.services import profiles

    if not current_app.config.get("LOAD_PROFILES_ON_UPGRADE", True):
        return
    session = target_db.session
    changed, job_id = unit_of_work.commit(
        session, lambda: profiles.sync_shipped(session, actor="db upgrade")
    )
    for stored in changed:
        logger.info(
            "threshold profile %s: version %s in force", stored.row.code, stored.row.version
        )
    if job_id is not None:
        tasks.run(job_id)
    session.remove()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
