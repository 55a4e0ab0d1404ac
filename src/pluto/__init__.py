"""Pluto: an open, self-hostable lab data platform.

Importing this package loads only the client side (no Django): the SDK lives in
``pluto.client`` and the server in ``pluto.server``.
"""

__version__ = "0.1.0"
