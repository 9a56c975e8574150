"""Outside services behind Protocols (SMS, email, OAuth ID tokens, later OCR, face, storage ...).

Providers know nothing of the domain: no models, no database, no error codes. They raise
ProviderUnavailable (worth retrying) or ProviderRejected (the input was refused), and the calling
service maps that to an error code.
"""
