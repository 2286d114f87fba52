"""Login with Amazon's token endpoint (the backend is mock_amazon/auth.py, which the pipeline also uses)."""
