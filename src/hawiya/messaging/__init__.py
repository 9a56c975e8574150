"""Delivering messages (one-time codes) through a tenant's SMS gateways and email sender."""
