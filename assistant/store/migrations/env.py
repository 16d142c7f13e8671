"""Alembic environment: the project's single metadata (`assistant.store.db.metadata`); the connection is
handed in by `assistant.store.db` (``config.attributes["connection"]``), or made from ``sqlalchemy.url``."""
from alembic import context
from sqlalchemy import create_engine

from assistant.store.db import load_models

config = context.config
target_metadata = load_models()


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
    else:
        with create_engine(config.get_main_option("sqlalchemy.url")).connect() as connection:
            run(connection)
