"""The integration's side: pure domain code with no I/O and no wall clock."""
