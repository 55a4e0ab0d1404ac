"""One module per analysis kind, each declaring ``KIND`` (a ``kind.Kind``).

Adding a kind is adding a module here (with its tests and its section of docs/analyses.md):
:mod:`pluto.server.analyses.registry` finds it, and the API, the worker, the web forms, the
CLI and the SDK take it from there.
"""
