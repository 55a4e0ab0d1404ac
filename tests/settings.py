"""Settings for the test suite: the real settings, in a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("PLUTO_DATA_DIR", tempfile.mkdtemp(prefix="pluto-test-"))

from pluto.server.settings import *

# Fast hashing keeps the suite quick; real deployments keep Django's default hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
