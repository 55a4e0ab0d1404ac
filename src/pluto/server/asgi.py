"""The ASGI application, for operators who run Pluto under an ASGI server of their own
(`pluto serve` runs the WSGI application, :mod:`pluto.server.wsgi`)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pluto.server.settings")

application = get_asgi_application()
