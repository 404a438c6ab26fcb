"""Sorting the search oldest test first (the search page's "Sort"), on both databases:
every path the search service takes (index walk, the ids a word scan returns, a
filter), page by page, with undated batches last either way."""

from __future__ import annotations

from typing import Any

import pytest

from registry.extensions import db
from registry.services import search
from tests.registry.test_search import DEFAULT, NEWEST_FIRST, seed

OLDEST_FIRST = ["b3", "b1", "b2", "b5", "b4"]  # tested ascending, undated (b4) last


@pytest.mark.parametrize(
    "filters,names",
    [
        (search.BatchFilters(), OLDEST_FIRST),
        (search.BatchFilters(q="kratom"), OLDEST_FIRST),  # on SQLite: the ids a word scan returns
        (search.BatchFilters(lab="summit"), ["b2", "b4"]),
    ],
)
def test_oldest_first_page_by_page(
    app: Any, filters: search.BatchFilters, names: list[str]
) -> None:
    ids = seed(app)
    with app.app_context():
        every = search.search_batches(db.session, filters, profile=DEFAULT, page=1, per_page=50)
        want = [ids[n] for n in names if ids[n] in {i["id"] for i in every.items}]
        got = []
        for number in range(1, 5):
            got += [
                i["id"]
                for i in search.search_batches(
                    db.session, filters, profile=DEFAULT, page=number, per_page=2, oldest=True
                ).items
            ]
        assert got == want
        newest = [i["id"] for i in every.items]
        assert newest == [
            ids[n] for n in NEWEST_FIRST if ids[n] in newest
        ]  # the default is unchanged
        db.session.remove()


def test_the_search_page_sorts(client: Any, app: Any) -> None:
    ids = seed(app)
    html = {"Accept": "text/html"}
    body = client.get("/search?sort=oldest&per_page=10", headers=html).get_data(as_text=True)
    positions = [body.index(f'href="/batches/{ids[n]}"') for n in OLDEST_FIRST]
    assert positions == sorted(positions)
    assert client.get("/search?sort=sideways", headers=html).status_code == 422


def test_the_search_page_shows_a_capped_total_with_a_plus(
    client: Any, app: Any, monkeypatch
) -> None:
    seed(app)
    html = {"Accept": "text/html"}
    body = client.get("/search?per_page=10", headers=html).get_data(as_text=True)
    assert "5 batches found" in body
    monkeypatch.setattr(search, "TOTAL_CAP", 3)
    body = client.get("/search?per_page=10", headers=html).get_data(as_text=True)
    assert "3+ batches found" in body
    # A page deeper than the cap of offset pages is refused in words, not a crash.
    resp = client.get("/search?per_page=100&page=101", headers=html)
    assert resp.status_code == 422 and "10,000" in resp.get_data(as_text=True)
