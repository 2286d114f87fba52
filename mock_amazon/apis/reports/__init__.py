"""Reports API 2021-06-30."""
