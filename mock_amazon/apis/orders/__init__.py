"""Orders API v0 and 2026-01-01."""
