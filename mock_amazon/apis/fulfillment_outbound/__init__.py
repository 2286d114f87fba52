"""Fulfillment Outbound 2020-07-01: multi-channel fulfillment orders."""
