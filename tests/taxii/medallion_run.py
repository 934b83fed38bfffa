#!/usr/bin/env python3
"""Serve a medallion_data.py data file with medallion 3.0.0 (the OASIS TAXII 2.1 server).

    python tests/taxii/medallion_run.py DATA.json PORT

Listens on 127.0.0.1:PORT until interrupted.  One user may read: ``reader``
with password ``reader`` (HTTP Basic).  Discovery is at
``http://127.0.0.1:PORT/taxii2/``; the data file's discovery URLs are rewritten
to this address when the data is loaded, so one data file serves on any port.

medallion is configured by a JSON file with ``backend`` (module, module_class
and the backend's own arguments, here ``filename``), ``users`` (name to
password) and ``taxii`` (``max_page_size``); this launcher writes that file,
loads it with ``medallion.load_app`` and runs Flask's server.
"""

import argparse
import json
import os
import sys
import tempfile
import urllib.parse


def config_for(data_path, user, password, max_page_size):
    return {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": os.path.abspath(data_path),
        },
        "users": {user: password},
        "taxii": {"max_page_size": max_page_size},
    }


def rebase(url, host, port):
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(("http", "{}:{}".format(host, port), parts.path, parts.query, parts.fragment))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve a medallion memory-backend data file.")
    parser.add_argument("data", metavar="DATA.json")
    parser.add_argument("port", metavar="PORT", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--user", default="reader")
    parser.add_argument("--password", default="reader")
    parser.add_argument("--max-page-size", type=int, default=100,
                        help="the most objects medallion puts on one page (default 100)")
    args = parser.parse_args(argv)

    if not os.path.isfile(args.data):
        raise SystemExit("medallion_run: no such data file: {}".format(args.data))

    import medallion  # imported late so that --help works without it

    config = config_for(args.data, args.user, args.password, args.max_page_size)
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="medallion-config-", delete=False) as handle:
        json.dump(config, handle)
        config_path = handle.name
    try:
        app = medallion.load_app(config_path)
    finally:
        os.unlink(config_path)

    discovery = app.medallion_backend.data.get("/discovery", {})
    if "default" in discovery:
        discovery["default"] = rebase(discovery["default"], args.host, args.port)
    discovery["api_roots"] = [rebase(u, args.host, args.port) for u in discovery.get("api_roots", [])]

    print(
        "medallion_run: discovery at http://{}:{}/taxii2/ (user {!r})".format(args.host, args.port, args.user),
        file=sys.stderr,
        flush=True,
    )
    app.run(host=args.host, port=args.port, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
