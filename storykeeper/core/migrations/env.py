"""Alembic environment: always runs on a connection the store hands over, never from a URL."""

from alembic import context

from storykeeper.core.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Storykeeper runs its migrations through storykeeper.core.db.migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode copies and swaps tables instead.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
