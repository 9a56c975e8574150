"""Wire-compatibility data: the canonical list of Vlens endpoints (vlens_endpoints.json)."""

from hawiya.compat.endpoints import (
    Catalogue,
    Section,
    UnknownPath,
    VlensEndpoint,
    load_catalogue,
)

__all__ = ["Catalogue", "Section", "UnknownPath", "VlensEndpoint", "load_catalogue"]
