#!/usr/bin/env python3
"""Poll every collection of a TAXII 2.1 server the way OpenCTI's TAXII connector does.

    opencti_poll.py DISCOVERY_URL [--max-requests N]

The polling logic is OpenCTI's, reproduced here (not imported: the connector needs a whole
OpenCTI platform): OpenCTI-Platform/connectors, external-import/taxii2/src/taxii2.py,
`Taxii2Connector.poll`. On its first run without `initial_history` it asks for a collection's
objects without filters. When the reply has objects, it reads the version from the reply's
`spec_version`, else from the first object's `spec_version` (a KeyError when that object has
none). For "2.0" it pages by `added_after`: it asks the manifest for the last object of the page
and asks again for objects added after that entry's `date_added`, while a reply holds objects
(so a server that ignores `added_after`, or many objects sharing one `date_added`, never ends or
stops early). For anything else it follows `next` while the reply says `more: true`. It reads
`response["objects"]` of every reply it processes without a guard.

Prints {"collections": {"<id>": {"version": "...", "received": N, "distinct": N,
"requests": N}}} and exits 1 when an object was received twice, the polling failed, or it
needed more than --max-requests requests (a loop).
"""

import argparse
import json
import sys

from taxii2client.v21 import Server


def poll(collection, max_requests):
    """The connector's `poll`: returns (version, objects received in order, requests made)."""
    filters = {}
    requests = 1
    response = collection.get_objects(**filters)
    objects = []
    if not ("objects" in response and len(response["objects"]) > 0):
        return None, objects, requests
    version = response["spec_version"] if "spec_version" in response else response["objects"][0]["spec_version"]
    if version == "2.0":
        more = None
        while more is not False:
            objects.extend(response["objects"])
            last = response["objects"][-1]
            manifest = collection.get_manifest(id=last["id"])
            requests += 1
            if len(manifest["objects"]) > 0:
                filters["added_after"] = manifest["objects"][0]["date_added"]
                response = collection.get_objects(**filters)
                requests += 1
                more = "objects" in response and len(response["objects"]) > 0
            else:
                more = False
            if requests > max_requests:
                raise RuntimeError(f"more than {max_requests} requests: added_after paging does not end")
    else:
        while True:
            objects.extend(response["objects"])
            if "more" in response and response["more"] is True:
                filters["next"] = response["next"]
                response = collection.get_objects(**filters)
                requests += 1
                if requests > max_requests:
                    raise RuntimeError(f"more than {max_requests} requests: next paging does not end")
            else:
                break
    return version, objects, requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("discovery")
    parser.add_argument("--max-requests", type=int, default=5000)
    args = parser.parse_args()
    failed = False
    result = {}
    server = Server(args.discovery)
    for root in server.api_roots:
        for collection in root.collections:
            try:
                version, objects, requests = poll(collection, args.max_requests)
            except Exception as e:  # what the connector would log and skip
                print(f"{collection.id}: polling failed: {type(e).__name__}: {e}", file=sys.stderr)
                failed = True
                continue
            keys = [(o["id"], o.get("modified", o.get("created"))) for o in objects]
            twice = len(keys) - len(set(keys))
            if twice:
                print(f"{collection.id}: {twice} objects received more than once", file=sys.stderr)
                failed = True
            result[collection.id] = {"version": version, "received": len(objects),
                                     "distinct": len(set(keys)), "requests": requests,
                                     "ids": sorted({o["id"] for o in objects})}
    json.dump({"collections": result}, sys.stdout)
    print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
