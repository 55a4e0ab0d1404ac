"""The harness that starts a live demo server waits for a server that is slow to answer."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.live_demo import free_port, stop, wait_until_up

# Answers its first request after 3 s (more than the probe's 2 s timeout), then at once.
SLOW_SERVER = """
import http.server, sys, time
first = True
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global first
        if first:
            first = False
            time.sleep(3)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Slow).serve_forever()
"""


def test_a_server_slow_to_answer_its_first_probe_is_waited_for(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_SERVER, str(port)], start_new_session=True
    )
    try:
        started = time.monotonic()
        wait_until_up(f"http://127.0.0.1:{port}", process, log)
        assert time.monotonic() - started >= 2
    finally:
        stop(process)
