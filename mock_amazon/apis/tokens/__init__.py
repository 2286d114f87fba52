"""Tokens API 2021-03-01: restricted data tokens."""
