"""Serve the demo page from one or more origins other than the API's (stdlib only).

    python sample_project/frontend/serve.py --api http://localhost:8000 \\
        --listen localhost:8001 --listen 127.0.0.1:8002

Besides the static files it serves two dynamic paths:

- ``/config.js``: the API's URL and the origins the API's policies list
  (``DEMO_PAGE_ORIGINS``, the same variable the API's settings read), so the
  page can say what it expects before it calls;
- ``/probe``: replays one call's CORS exchange from this server, with the
  page's ``Origin``, and returns the response's CORS headers. A script cannot
  read ``Access-Control-*`` headers, and cannot see anything of a blocked
  response: the probe shows the headers that decided. A preflighted call is
  replayed as its preflight only (which never reaches a view); a simple GET
  is replayed as is. It only ever contacts the API given with ``--api``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
STATIC = {
    "/": "index.html",
    "/index.html": "index.html",
    "/app.js": "app.js",
    "/style.css": "style.css",
}


def make_handler(api: str, trusted: list[str]) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(HERE), **kwargs)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/config.js":
                config = {"api": api, "trustedOrigins": trusted}
                self._send(200, "text/javascript", f"window.DEMO = {json.dumps(config)};\n")
            elif url.path == "/probe":
                self._send(200, "application/json", json.dumps(self._probe(parse_qs(url.query))))
            elif url.path in STATIC:
                self.path = "/" + STATIC[url.path]
                super().do_GET()
            else:
                self._send(404, "text/plain", "not found\n")

        def _probe(self, query: dict[str, list[str]]) -> dict[str, Any]:
            path = query.get("path", [""])[0]
            if not path.startswith("/api/"):
                return {"error": "only /api/ paths of the demo API are probed"}
            method = query.get("method", ["GET"])[0]
            headers = query.get("headers", [""])[0]
            origin = f"http://{self.headers['Host']}"
            request_headers = {"Origin": origin}
            if query.get("preflight", ["0"])[0] == "1":
                request_headers["Access-Control-Request-Method"] = method
                if headers:
                    request_headers["Access-Control-Request-Headers"] = headers
                verb = "OPTIONS"
            else:
                verb = "GET"
            request = urllib.request.Request(api + path, method=verb, headers=request_headers)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, found = response.status, response.headers
            except urllib.error.HTTPError as error:
                status, found = error.code, error.headers
                error.close()
            except OSError as error:
                return {"error": str(error)}
            cors = {
                name: value
                for name, value in found.items()
                if name.lower().startswith("access-control-") or name.lower() == "vary"
            }
            return {
                "request": f"{verb} {path}",
                "origin": origin,
                "status": status,
                "headers": cors,
            }

        def _send(self, status: int, content_type: str, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def end_headers(self) -> None:
            # Always the current page and config: ports change between runs.
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("DEMO_PAGE_QUIET") != "1":
                super().log_message(format, *args)

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://localhost:8000", help="the API's origin")
    parser.add_argument(
        "--listen",
        action="append",
        metavar="HOST:PORT",
        help="where to serve the page (repeatable); default localhost:8001 and 127.0.0.1:8002",
    )
    args = parser.parse_args(argv)
    listen = args.listen or ["localhost:8001", "127.0.0.1:8002"]
    trusted = [
        o.strip()
        for o in os.environ.get("DEMO_PAGE_ORIGINS", "http://localhost:8001").split(",")
        if o.strip()
    ]
    handler = make_handler(args.api.rstrip("/"), trusted)
    servers = []
    for spec in listen:
        host, _, port = spec.rpartition(":")
        # Loopback only: "localhost" is bound as 127.0.0.1, which it resolves to.
        address = "127.0.0.1" if host in ("localhost", "127.0.0.1") else host
        if address != "127.0.0.1":
            parser.error(f"--listen {spec}: the demo page is served on loopback only")
        servers.append(ThreadingHTTPServer((address, int(port)), handler))
    for server, spec in zip(servers, listen, strict=True):
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"Demo page on http://{spec}/", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop quietly
        stop.wait()
    for server in servers:
        server.shutdown()
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
