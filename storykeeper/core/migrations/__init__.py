"""Alembic migrations, shipped inside the package and run whenever the store is opened."""
