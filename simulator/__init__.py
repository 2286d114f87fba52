"""The SimPy world that drives Amazon's mock and the integration on one virtual clock (see DESIGN.md)."""
