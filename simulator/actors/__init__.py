"""One generator per actor: customers, Amazon's side, and the integration's schedules."""
