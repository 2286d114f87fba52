"""Report and feed documents: bytes behind pre-signed URLs."""
