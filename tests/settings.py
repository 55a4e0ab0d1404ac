"""Settings for the test suite: the real settings, in a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("PLUTO_DATA_DIR", tempfile.mkdtemp(prefix="pluto-test-"))

from pluto.server.settings import *

# Fast hashing keeps the suite quick; real deployments keep Django's default hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Every test client builds its own middleware chain, and WhiteNoise would index every static
# file each time (a tenth of a table test's time). Looking a file up when it is asked for
# serves the same files; the servers the browser tests start keep the real settings.
WHITENOISE_AUTOREFRESH = True

# The test database is a file, not SQLite's in-memory default: Django hands a live server
# thread the test's own in-memory connection, and the SDK's parallel page requests would then
# share one connection across threads (a real server gives each thread its own).
if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
