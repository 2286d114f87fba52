"""SmartConnect / External Fulfillment 2024-09-11: seller-flex inventory, shipments and returns."""
