"""Extension singletons, created unbound and bound in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_cors import CORS
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from registry.db import Base


class _SQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, with ``session`` typed as what services take: the scoped
    session proxies every method of the request's ``Session``."""

    if TYPE_CHECKING:
        session: ScopedSession  # type: ignore[assignment]


if TYPE_CHECKING:

    class ScopedSession(Session):
        """For the type checker: a ``Session`` that a request or job ends with ``remove()``."""

        def remove(self) -> None: ...


db = _SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
cors = CORS()
