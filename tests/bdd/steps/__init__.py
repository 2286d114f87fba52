"""Step definitions shared by the features: `amazon` speaks of Amazon (sellers, catalogue, orders and stock set
up, the clock moved, what Amazon's records show afterwards). conftest.py registers them for every feature; the
steps of one integration stay in its test module. `docs/steps.md` lists them all (python -m tests.bdd.catalog)."""
