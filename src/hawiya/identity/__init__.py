"""Digital identity: national-ID parsing and OCR, faces, liveness, AML (spec §2.4, §2.5, §6.1)."""
