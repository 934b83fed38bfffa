#!/usr/bin/env python3
"""Build a data file for medallion 3.0.0's memory backend from STIX bundles.

    python tests/taxii/medallion_data.py BUNDLE_OR_FOLDER... --out data.json

The data file holds one API root (``api``) with one read-only collection that
holds every object of the given bundles.  A folder stands for every ``*.json``
file under it; files that are not STIX bundles are skipped.

The layout follows medallion 3.0.0's ``MemoryBackend``: the top-level keys are
``/discovery`` and the API root names; an API root has ``information``,
``status`` and ``collections``; a collection carries its ``objects`` (stored as
they are) and a ``manifest`` list with one record per object version
(``id``, ``date_added``, ``version``, ``media_type``).  medallion 3.0.0 keeps
no per-object metadata besides a hidden ``_date_added`` on objects that have
neither ``modified`` nor ``created``; every date it serves comes from the
manifest.

Each object's ``date_added`` is its ``modified`` (or ``created``) written the
way medallion writes timestamps (microseconds, ``Z``), so that medallion's
string sort of the manifest is also a time sort.  The manifest ``version`` is
the object's own ``modified`` (or ``created``) string, as medallion records it
when objects are posted.
"""

import argparse
import datetime as dt
import json
import pathlib
import re
import sys

API_ROOT = "api"
COLLECTION_ID = "e41c49b8-49a8-44e5-9643-e2b380b93dd9"
COLLECTION_TITLE = "ATT&CK enterprise"
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version={}"

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$"
)


def parse_timestamp(text):
    """A STIX timestamp as an aware datetime, and its count of fraction digits."""
    match = _TIMESTAMP.match(text)
    if not match:
        raise ValueError("not a STIX timestamp: {!r}".format(text))
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7) or ""
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    moment = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=dt.timezone.utc)
    return moment, len(fraction)


def medallion_timestamp(moment):
    """The form medallion writes timestamps in (``datetime_to_string``)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def spec_version_of(obj):
    """The STIX version medallion assigns an object (``determine_spec_version``)."""
    if "created" not in obj and "modified" not in obj:
        return "2.1"
    return obj.get("spec_version", "2.0")


def bundle_files(paths):
    for raw in paths:
        path = pathlib.Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.json") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise SystemExit("medallion_data: no such file or folder: {}".format(raw))


def read_bundle(path):
    """The objects of a bundle file, or None when the file is not a bundle."""
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        return None
    objects = doc.get("objects", [])
    if not isinstance(objects, list):
        return None
    return [o for o in objects if isinstance(o, dict) and isinstance(o.get("id"), str)]


def collect(paths, now):
    """Every distinct object version of the bundles, with its manifest record."""
    entries = {}
    stats = {"files": 0, "bundles": 0, "skipped_files": 0, "duplicates": 0, "precision_warnings": 0}
    for path in bundle_files(paths):
        stats["files"] += 1
        objects = read_bundle(path)
        if objects is None:
            stats["skipped_files"] += 1
            continue
        stats["bundles"] += 1
        for obj in objects:
            stamp = obj.get("modified", obj.get("created"))
            if stamp is None:
                version = medallion_timestamp(now)
                date_added = version
            else:
                try:
                    moment, digits = parse_timestamp(stamp)
                except ValueError as err:
                    raise SystemExit("medallion_data: {}: {}: {}".format(path, obj["id"], err))
                if digits > 6:
                    # medallion parses versions with strptime's %f (at most 6 digits).
                    stats["precision_warnings"] += 1
                version = stamp
                date_added = medallion_timestamp(moment)
            key = (obj["id"], version)
            if key in entries:
                stats["duplicates"] += 1
                continue
            stored = dict(obj)
            if stamp is None:
                stored["_date_added"] = date_added
            entries[key] = (
                stored,
                {
                    "id": obj["id"],
                    "date_added": date_added,
                    "version": version,
                    "media_type": STIX_MEDIA_TYPE.format(spec_version_of(obj)),
                },
            )
    ordered = sorted(entries.values(), key=lambda e: (e[1]["date_added"], e[1]["id"]))
    return ordered, stats


def build(paths, base_url, collection_id, title, now):
    ordered, stats = collect(paths, now)
    base = base_url if base_url.endswith("/") else base_url + "/"
    root_url = "{}{}/".format(base, API_ROOT)
    media_types = sorted({manifest["media_type"] for _, manifest in ordered})
    data = {
        "/discovery": {
            "title": "ATT&CK reference TAXII server",
            "description": "medallion serving the same objects as a stixpress TAXII collection, "
                           "for comparing the two with one client.",
            "default": root_url,
            "api_roots": [root_url],
        },
        API_ROOT: {
            "information": {
                "title": "ATT&CK",
                "description": "MITRE ATT&CK objects from STIX bundles.",
                "versions": [TAXII_MEDIA_TYPE],
                "max_content_length": 10485760,
            },
            "status": [],
            "collections": [
                {
                    "id": collection_id,
                    "title": title,
                    "description": "Every object of the bundles the data file was built from.",
                    "can_read": True,
                    "can_write": False,
                    "media_types": media_types,
                    "objects": [obj for obj, _ in ordered],
                    "manifest": [manifest for _, manifest in ordered],
                }
            ],
        },
    }
    return data, stats, len(ordered)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Write a medallion 3.0.0 memory-backend data file holding the objects of STIX bundles."
    )
    parser.add_argument("inputs", nargs="+", metavar="BUNDLE_OR_FOLDER",
                        help="bundle files, or folders searched for *.json recursively")
    parser.add_argument("--out", required=True, help="data file to write")
    parser.add_argument("--base-url", default="http://127.0.0.1:5000/",
                        help="server URL the discovery resource names (medallion_run.py rewrites it "
                             "to the address it listens on)")
    parser.add_argument("--collection-id", default=COLLECTION_ID)
    parser.add_argument("--title", default=COLLECTION_TITLE)
    args = parser.parse_args(argv)

    now = dt.datetime.now(dt.timezone.utc)
    data, stats, count = build(args.inputs, args.base_url, args.collection_id, args.title, now)
    if count == 0:
        raise SystemExit("medallion_data: the inputs hold no STIX bundle with objects")
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(data, handle, separators=(",", ":"))
        handle.write("\n")
    print(
        "medallion_data: {} object versions from {} bundles ({} files read, {} not bundles, "
        "{} duplicates dropped) -> {}".format(
            count, stats["bundles"], stats["files"], stats["skipped_files"], stats["duplicates"], args.out
        ),
        file=sys.stderr,
    )
    if stats["precision_warnings"]:
        print(
            "medallion_data: warning: {} objects have timestamps finer than microseconds, "
            "which medallion 3.0.0 cannot parse".format(stats["precision_warnings"]),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
