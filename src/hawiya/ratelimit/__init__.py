"""Fixed-window rate limits kept in the database, so every app instance shares them (RES-5)."""
