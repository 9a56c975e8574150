"""Credentials: API keys, tenant administrators, JWT access and refresh tokens (spec §2.1)."""
