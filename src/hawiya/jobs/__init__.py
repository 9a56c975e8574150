"""Background jobs: a table in the same database, enqueued in the caller's transaction."""
