"""The judge: whether a connector did right, from Amazon's side. It reads a running mock over HTTP only (its
records and journal at `/_testbed/`, the seller's side at `/_world/`) and imports nothing of the mock."""
