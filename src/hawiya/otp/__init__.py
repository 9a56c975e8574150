"""The one OTP engine for every purpose: registration, login on a new device, password reset, email
and phone change, and (later) contract signing."""
