"""The reference integration: the documented flows (shared/FLOWS.md) as sans-I/O workflows.

A workflow is a generator that yields `Request`s to Amazon (and `Wait`s for time to pass) and receives
`Response`s; it never touches a socket or a clock of its own. `session.reliable` wraps any workflow with token
handling, retries and back-off. A driver performs the effects: `driver.run` for tests and live HTTP, the
simulator's transport under SimPy. One workflow, several drivers, no copies.
"""
