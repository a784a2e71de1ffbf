"""A page's script run reads the data version once (``store.versions_pinned``), yet sees
its own writes at once, and every run after another process's write sees that write."""

import sqlalchemy as sa

from zones import api
from zones.storage import store


def count_meta_reads(engine):
    seen = []

    def before(conn, cursor, statement, *args):
        if "meta" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", before)


def bump(engine):
    with engine.begin() as conn:
        store.bump_version(conn)


def test_pinned_versions_are_read_once_and_a_write_in_the_run_is_seen(blank_url):
    ws = api.open_workspace(blank_url)
    engine = ws.engine
    seen, stop = count_meta_reads(engine)
    try:
        with api.versions_pinned():
            first = api.data_version(ws)
            assert [api.data_version(ws) for _ in range(5)] == [first] * 5
            api.boundary_version(ws), api.boundary_version(ws)
            assert len(seen) == 2  # one read of each version
            bump(engine)  # this run writes: it reads what it wrote from now on
            after = api.data_version(ws)
            assert after != first
            bump(engine)
            assert api.data_version(ws) != after
        with api.versions_pinned():
            before = api.data_version(ws)
            with engine.begin() as conn:
                store.bump_version(conn)
                assert api.data_version(ws) == before  # not committed yet
            assert api.data_version(ws) != before  # the read above was not kept
        outside = len(seen)
        api.data_version(ws), api.data_version(ws)
        assert len(seen) == outside + 2  # no pinning outside a run
    finally:
        stop()


def test_a_write_by_someone_else_is_seen_by_the_next_run(blank_url):
    ws = api.open_workspace(blank_url)
    with api.versions_pinned():
        before = api.data_version(ws)
    other = sa.create_engine(blank_url)  # another process's connection
    with other.begin() as conn:
        store.set_meta(conn, store.Meta.DATA_VERSION, "from elsewhere")
    other.dispose()
    with api.versions_pinned():
        assert api.data_version(ws) == "from elsewhere" != before
