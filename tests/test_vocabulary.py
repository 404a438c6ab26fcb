"""Point 13 of issue 10, the structural half: domain errors carry no HTTP (the API maps
them), and row roles and verdict statuses are enums, used where their strings were."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from parsers.roles import Role
from registry import errors
from registry.api import problems
from registry.thresholds.model import VerdictStatus

REPO = Path(__file__).resolve().parent.parent

#: Every problem a domain error was answered with before the split: status, title, type.
ANSWERED_AS = {
    errors.RegistryError: (500, "Internal Server Error", "internal"),
    errors.BadRequest: (400, "Bad Request", "bad-request"),
    errors.Unauthorized: (401, "Unauthorized", "unauthorized"),
    errors.Forbidden: (403, "Forbidden", "forbidden"),
    errors.NotFound: (404, "Not Found", "not-found"),
    errors.Conflict: (409, "Conflict", "conflict"),
    errors.PayloadTooLarge: (413, "Payload Too Large", "payload-too-large"),
    errors.UnsupportedMediaType: (415, "Unsupported Media Type", "unsupported-media-type"),
    errors.Unprocessable: (422, "Unprocessable Content", "validation"),
    errors.TooManyRequests: (429, "Too Many Requests", "too-many-requests"),
}


def domain_error_classes() -> list[type[errors.RegistryError]]:
    return [
        cls
        for _n, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.RegistryError) and cls.__module__ == errors.__name__
    ]


def test_domain_errors_carry_no_http() -> None:
    source = (REPO / "registry/errors.py").read_text()
    tree = ast.parse(source)
    numbers = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, int) and 100 <= n.value < 600
    }
    assert not numbers, f"HTTP status codes in registry/errors.py: {numbers}"
    for cls in domain_error_classes():
        for attr in ("status", "title", "slug", "headers"):
            assert not hasattr(cls, attr), f"{cls.__name__}.{attr}"
    assert "problem+json" not in source and "WWW-Authenticate" not in source


def test_the_api_answers_each_domain_error_as_before() -> None:
    classes = domain_error_classes()
    assert set(classes) == set(ANSWERED_AS), "a domain error without its HTTP answer"
    for cls in classes:
        assert tuple(problems.http_problem(cls("x"))) == ANSWERED_AS[cls], cls.__name__
        slug = ANSWERED_AS[cls][2]
        assert slug in problems.PROBLEMS, f"/problems/{slug} would not resolve"

    class Subclass(errors.Conflict):
        pass

    assert problems.http_problem(Subclass()).status == 409  # a subclass takes its base's
    assert problems.http_headers(errors.Unauthorized()) == {
        "WWW-Authenticate": 'Bearer realm="registry"'
    }
    assert problems.http_headers(errors.TooManyRequests("slow down", retry_after_s=60)) == {
        "Retry-After": "60"
    }
    assert str(errors.NotFound()) == "not found" and str(errors.NotFound("no batch 3")) == (
        "no batch 3"
    )


def _role_comparisons_with_strings(path: Path) -> list[str]:
    """Comparisons of a role (``x.role``, ``role``, ``word_role(...)``) with a string
    literal that is a role's value: each should name the ``Role`` member."""
    values = {r.value for r in Role}
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        literals: list[ast.expr] = []
        for side in sides:
            if isinstance(side, ast.Constant):
                literals.append(side)
            elif isinstance(side, ast.Tuple | ast.List | ast.Set):
                literals += side.elts
        strings = {c.value for c in literals if isinstance(c, ast.Constant)} & values
        roles = [s for s in sides if "role" in ast.unparse(s).lower()]
        if strings and roles:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_row_roles_are_compared_as_role_members() -> None:
    assert issubclass(Role, str) and {r.value for r in Role} >= {"result", "loq", "lod", "unit"}
    found = [
        hit
        for path in sorted((REPO / "parsers").rglob("*.py"))
        for hit in _role_comparisons_with_strings(path)
    ]
    assert not found, "\n".join(found)


def test_every_role_the_columns_give_is_a_member() -> None:
    from parsers import columns

    assert all(isinstance(role, Role) for _key, role in columns.ROLE_WORDS)
    for title in ("Result", "LOQ", "Units", "Analyte", "Status", "LOD", "mg/g"):
        role = columns.title_role(title)
        assert role is None or isinstance(role, Role), title


def test_verdict_status_tables_are_the_enum() -> None:
    from registry.schemas.batches import STATUSES
    from registry.services import search
    from registry.web import present

    members = set(VerdictStatus)
    assert set(STATUSES) == {s.value for s in members}
    assert set(search.WORST_FIRST) == members and len(search.WORST_FIRST) == len(members)
    assert all(isinstance(s, VerdictStatus) for s in search.WORST_FIRST)
    for table in (present.STATUS_WORDS, present.STATUSES_ORDER, present.STATUS_ICONS):
        assert set(table) == members and all(isinstance(s, VerdictStatus) for s in table)
