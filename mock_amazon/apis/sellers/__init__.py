"""Sellers API v1: the marketplaces a seller takes part in."""
