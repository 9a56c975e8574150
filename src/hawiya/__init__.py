"""Hawiya: a self-hostable server for the Vlens eKYC and e-contracting API."""

__version__ = "0.1.0"
