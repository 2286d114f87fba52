"""FBA Inventory API v1."""
