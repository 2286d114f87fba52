"""Listings Items 2021-08-01, and the seller catalog every other API reads."""
