"""One package per Amazon API: routes.py (the blueprint) over backend.py (state and rules)."""
