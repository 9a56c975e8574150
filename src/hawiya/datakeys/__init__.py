"""Per-tenant data keys and the encryption of personal data at rest (checklist PRV-3)."""
