"""Notifications v1: destinations, subscriptions, and delivery on the clock."""
