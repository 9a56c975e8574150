"""Persistence: declarative base, portable types, engine, sessions and the tenant-scoped
repository."""
