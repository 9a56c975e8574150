"""End-user registration by phone and email OTP, or OAuth (spec §2.2, flows §3.2 and §3.3)."""
