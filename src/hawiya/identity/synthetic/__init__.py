"""Synthetic Egyptian national ID cards with ground truth, for tests and the accuracy benchmark
(real card photos are never committed). Fonts come from Debian packages (docs/identity.md)."""
