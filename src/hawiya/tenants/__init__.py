"""Tenants: creation, lookup and settings."""
