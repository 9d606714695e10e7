"""Storage: tables, migrations, repositories and the session factory (SQLAlchemy 2 async)."""
