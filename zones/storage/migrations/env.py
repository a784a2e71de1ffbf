"""Alembic environment: runs against the connection handed over by ``zones.db.migrate``."""

from alembic import context

from zones.storage.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # alembic CLI: build an engine from the ini URL
        import sqlalchemy as sa

        engine = sa.create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run_with(conn)
        return
    _run_with(connection)


def _run_with(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
