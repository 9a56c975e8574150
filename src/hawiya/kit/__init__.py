"""Domain-free helpers: time, ids, crypto, redaction. Imports nothing from hawiya."""
