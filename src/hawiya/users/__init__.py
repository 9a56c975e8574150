"""End users: lookups shared by registration, login and token refresh."""
