#!/usr/bin/env python3
"""Read a whole TAXII 2.1 server with the OASIS client (taxii2-client) and check it.

    python tests/taxii/read_all.py DISCOVERY_URL [--user U --password P]
        [--per-request N] [--no-per-object | --per-object-limit K]

Reads discovery, every API root, every collection and, for each readable
collection, all objects and the whole manifest page by page
(``taxii2client.v21.as_pages``), then each object by id and its versions.
Prints one JSON document describing what it read:

    {"discovery": {...as received...},
     "api_roots": [{"url": ..., "title": ...,
                    "collections": [{"id": ..., "title": ...,
                                     "objects": {"<stix id>": "<modified, created or null>"},
                                     "pages": <object pages read>,
                                     "manifest_count": n,
                                     "date_added_headers": true/false,
                                     "per_object_checked": n}]}]}

Every problem found is written to stderr with the URL (and object id) it
concerns; the exit status is 0 when nothing was wrong, 1 when something was,
and 2 when the server could not be read at all (discovery failed).
"""

import argparse
import datetime as dt
import hashlib
import json
import re
import sys

import requests
import stix2
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import Server, as_pages

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
UNKNOWN_OBJECT_ID = "not-a-stix-id"
MAX_PAGES = 100000
SHOWN_PROBLEMS = 200


class Problems:
    def __init__(self):
        self.items = []

    def add(self, url, message, obj_id=None):
        where = url if obj_id is None else "{} (object {})".format(url, obj_id)
        self.items.append("{}: {}".format(where, message))

    def __bool__(self):
        return bool(self.items)

    def report(self, stream):
        for line in self.items[:SHOWN_PROBLEMS]:
            print("read_all: " + line, file=stream)
        if len(self.items) > SHOWN_PROBLEMS:
            print("read_all: ... and {} more problems".format(len(self.items) - SHOWN_PROBLEMS), file=stream)
        print("read_all: {} problem(s) found".format(len(self.items)), file=stream)


class ResponseLog:
    """A requests response hook: checks every successful response's Content-Type
    and keeps the last response so that callers can read its headers."""

    def __init__(self, problems):
        self.problems = problems
        self.last = None
        self.count = 0

    def __call__(self, response, *args, **kwargs):
        self.last = response
        self.count += 1
        if 200 <= response.status_code < 300:
            content_type = response.headers.get("Content-Type", "")
            if content_type.replace(" ", "") != TAXII_MEDIA_TYPE:
                self.problems.add(
                    response.url,
                    "Content-Type is {!r}, expected {!r}".format(content_type, TAXII_MEDIA_TYPE),
                )
        return response

    def attach(self, endpoint):
        # Each ApiRoot taxii2-client makes has its own connection (requests
        # session); its collections share it.
        hooks = endpoint._conn.session.hooks["response"]
        if self not in hooks:
            hooks.append(self)


_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$"
)


def timestamp_key(text):
    """An ordering key for an RFC 3339 timestamp that keeps every fraction digit."""
    if not isinstance(text, str):
        raise ValueError("not a timestamp: {!r}".format(text))
    match = _TIMESTAMP.match(text)
    if not match:
        raise ValueError("not a timestamp: {!r}".format(text))
    fields = [int(g) for g in match.groups()[:6]]
    zone = match.group(8)
    offset = dt.timedelta(0)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    moment = dt.datetime(*fields, tzinfo=dt.timezone.utc) - offset
    fraction = (match.group(7) or "").ljust(12, "0")[:12]
    return (int(moment.timestamp()), int(fraction))


def version_of(obj):
    return obj.get("modified", obj.get("created"))


def describe_error(err):
    if isinstance(err, requests.HTTPError) and err.response is not None:
        return "HTTP {} {}".format(err.response.status_code, err.response.reason)
    return "{}: {}".format(type(err).__name__, err)


def read_pages(func, per_request, url, what, problems, log, max_pages=MAX_PAGES):
    """Every page as_pages yields, with the HTTP response of each.  Stops (with a
    problem) where following ``next`` would loop: taxii2-client asks for the
    next page while ``more`` is true, and without a ``next`` value it sends no
    ``next`` parameter, which asks for the first page again."""
    pages = []
    seen_pages = set()
    try:
        for envelope in as_pages(func, per_request=per_request):
            if not isinstance(envelope, dict):
                problems.add(url, "{} page {} is not a JSON object".format(what, len(pages) + 1))
                break
            more = envelope.get("more", False)
            if not isinstance(more, bool):
                problems.add(url, "{} page {}: 'more' is {!r}, not a boolean".format(what, len(pages) + 1, more))
            # A server may hand out the same 'next' token for every page of one
            # listing (medallion does), so a loop shows as a page seen before.
            content = hashlib.sha256(json.dumps(envelope.get("objects"), sort_keys=True).encode()).digest()
            if envelope.get("objects") and content in seen_pages:
                problems.add(url, "{} page {} repeats an earlier page (is the 'next' parameter "
                                  "ignored?)".format(what, len(pages) + 1))
                break
            seen_pages.add(content)
            pages.append((envelope, log.last))
            if not more:
                break
            if not envelope.get("next"):
                problems.add(url, "{} page {}: 'more' is true but there is no 'next'".format(what, len(pages)))
                break
            if len(pages) >= max_pages:
                problems.add(url, "{}: gave up after {} pages".format(what, len(pages)))
                break
    except (requests.RequestException, TAXIIServiceException, ValueError) as err:
        problems.add(url, "reading {} page {}: {}".format(what, len(pages) + 1, describe_error(err)))
    return pages


def check_unknown_object(collection, session, problems):
    url = collection.objects_url + UNKNOWN_OBJECT_ID + "/"
    try:
        response = session.get(url, headers={"Accept": TAXII_MEDIA_TYPE}, timeout=60)
    except requests.RequestException as err:
        problems.add(url, "request failed: {}".format(describe_error(err)))
        return
    if response.status_code != 404:
        problems.add(url, "an unknown object answered HTTP {}, expected 404".format(response.status_code))
        return
    try:
        body = response.json()
    except ValueError:
        return  # a static host's own 404 page need not be JSON
    if not isinstance(body, dict) or not body.get("title"):
        problems.add(url, "the 404 body is JSON but has no 'title' (TAXII error message)")


def read_versions(collection, obj_id, problems):
    url = collection.objects_url + obj_id + "/versions/"
    versions = []
    pages = 0
    kwargs = {}
    while True:
        envelope = collection.object_versions(obj_id, **kwargs)
        page = envelope.get("versions", [])
        if not isinstance(page, list):
            problems.add(url, "'versions' is not a list", obj_id)
            return versions
        versions.extend(page)
        token = envelope.get("next")
        if not envelope.get("more", False):
            return versions
        pages += 1
        if not token:
            problems.add(url, "'more' is true but there is no 'next'", obj_id)
            return versions
        if pages >= 1000:
            problems.add(url, "gave up after {} pages of versions".format(pages), obj_id)
            return versions
        kwargs = {"next": token}


def check_one_object(collection, obj_id, manifest_record, problems):
    url = collection.objects_url + obj_id + "/"
    try:
        envelope = collection.get_object(obj_id)
    except (requests.RequestException, TAXIIServiceException, ValueError) as err:
        problems.add(url, "get_object failed: {}".format(describe_error(err)), obj_id)
        return
    objects = envelope.get("objects", []) if isinstance(envelope, dict) else []
    if len(objects) != 1:
        problems.add(url, "get_object returned {} objects, expected 1".format(len(objects)), obj_id)
    if envelope.get("more", False):
        problems.add(url, "get_object envelope says 'more' for the latest version of one object", obj_id)
    latest = None
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("id") != obj_id:
            problems.add(url, "get_object returned an object with id {!r}".format(
                obj.get("id") if isinstance(obj, dict) else obj), obj_id)
            continue
        latest = version_of(obj)
    manifest_version = manifest_record.get("version") if manifest_record else None
    if latest is not None and manifest_version is not None:
        try:
            if timestamp_key(latest) != timestamp_key(manifest_version):
                problems.add(url, "object version {} differs from the manifest version {}".format(
                    latest, manifest_version), obj_id)
        except ValueError as err:
            problems.add(url, str(err), obj_id)

    versions_url = collection.objects_url + obj_id + "/versions/"
    try:
        versions = read_versions(collection, obj_id, problems)
    except (requests.RequestException, TAXIIServiceException, ValueError) as err:
        problems.add(versions_url, "object_versions failed: {}".format(describe_error(err)), obj_id)
        return
    if not versions:
        problems.add(versions_url, "the versions list is empty", obj_id)
        return
    try:
        keys = [timestamp_key(v) for v in versions]
    except ValueError as err:
        problems.add(versions_url, str(err), obj_id)
        return
    if keys != sorted(keys):
        problems.add(versions_url, "versions are not in ascending order: {}".format(versions), obj_id)
    if manifest_version is not None:
        try:
            if timestamp_key(manifest_version) not in keys:
                problems.add(versions_url, "versions {} do not hold the manifest version {}".format(
                    versions, manifest_version), obj_id)
        except ValueError as err:
            problems.add(versions_url, str(err), obj_id)
    if latest is not None:
        try:
            if timestamp_key(latest) != max(keys):
                problems.add(versions_url, "the newest version {} is not the one get_object returned ({})".format(
                    versions[keys.index(max(keys))], latest), obj_id)
        except ValueError:
            pass  # already reported above


def read_manifest(collection, args, problems, log):
    url = collection.url + "manifest/"
    pages = read_pages(collection.get_manifest, args.per_request, url, "manifest", problems, log)
    records = []
    for envelope, _ in pages:
        if isinstance(envelope, dict):
            records.extend(envelope.get("objects", []))
    by_id = {}
    previous = None
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            problems.add(url, "manifest entry {} is not a JSON object".format(index))
            continue
        obj_id = record.get("id")
        missing = [k for k in ("id", "date_added", "version", "media_type") if k not in record]
        if missing:
            problems.add(url, "manifest entry lacks {}".format(", ".join(missing)), obj_id)
        if obj_id in by_id:
            problems.add(url, "the manifest lists this id twice", obj_id)
        elif obj_id is not None:
            by_id[obj_id] = record
        try:
            added = timestamp_key(record.get("date_added"))
        except ValueError as err:
            problems.add(url, "date_added: {}".format(err), obj_id)
            continue
        if previous is not None and added < previous:
            problems.add(url, "manifest is not in date_added order: {} comes after a later entry".format(
                record.get("date_added")), obj_id)
        previous = added
    return records, by_id


def read_collection(collection, args, problems, log, session):
    entry = {
        "id": collection.id,
        "title": collection.title,
        "objects": {},
        "pages": 0,
        "manifest_count": 0,
        "date_added_headers": False,
        "per_object_checked": 0,
    }
    if not collection.can_read:
        return entry

    url = collection.objects_url
    pages = read_pages(collection.get_objects, args.per_request, url, "objects", problems, log)
    entry["pages"] = len(pages)
    listed = []
    with_headers = bool(pages)
    for envelope, response in pages:
        headers = response.headers if response is not None else {}
        if "X-TAXII-Date-Added-First" not in headers or "X-TAXII-Date-Added-Last" not in headers:
            with_headers = False
        if isinstance(envelope, dict):
            page_objects = envelope.get("objects", [])
            if not isinstance(page_objects, list):
                problems.add(url, "'objects' is not a list")
                continue
            listed.extend(page_objects)
    entry["date_added_headers"] = with_headers

    objects = {}
    for obj in listed:
        obj_id = obj.get("id") if isinstance(obj, dict) else None
        if not isinstance(obj_id, str):
            problems.add(url, "an object without an id: {}".format(json.dumps(obj)[:200]))
            continue
        if obj_id in objects:
            problems.add(url, "the objects listing has this id twice (it should hold the latest "
                              "version of each object once)", obj_id)
        objects[obj_id] = version_of(obj)
        try:
            stix2.parse(obj, allow_custom=True)
        except Exception as err:  # stix2 raises many kinds of errors
            problems.add(url, "stix2.parse failed: {}".format(describe_error(err)), obj_id)
    entry["objects"] = objects

    manifest_url = collection.url + "manifest/"
    records, manifest = read_manifest(collection, args, problems, log)
    entry["manifest_count"] = len(records)
    only_listed = sorted(set(objects) - set(manifest))
    only_manifest = sorted(set(manifest) - set(objects))
    for obj_id in only_listed[:20]:
        problems.add(manifest_url, "listed in objects/ but not in the manifest", obj_id)
    for obj_id in only_manifest[:20]:
        problems.add(manifest_url, "in the manifest but not listed in objects/", obj_id)
    if len(only_listed) > 20 or len(only_manifest) > 20:
        problems.add(manifest_url, "{} ids only in objects/ and {} only in the manifest".format(
            len(only_listed), len(only_manifest)))

    # The objects listing must come in date_added order, as the manifest gives it.
    previous = None
    for obj in listed:
        record = manifest.get(obj.get("id")) if isinstance(obj, dict) else None
        if record is None:
            continue
        try:
            added = timestamp_key(record.get("date_added"))
        except ValueError:
            continue  # reported with the manifest
        if previous is not None and added < previous:
            problems.add(url, "objects are not in date_added order (date_added {})".format(
                record.get("date_added")), obj.get("id"))
            break
        previous = added

    if not args.no_per_object:
        ids = list(objects)
        if args.per_object_limit is not None:
            ids = ids[:args.per_object_limit]
        for obj_id in ids:
            check_one_object(collection, obj_id, manifest.get(obj_id), problems)
        entry["per_object_checked"] = len(ids)

    check_unknown_object(collection, session, problems)
    return entry


def read_api_root(api_root, args, problems, log, session):
    log.attach(api_root)
    entry = {"url": api_root.url, "title": None, "collections": []}
    try:
        entry["title"] = api_root.title
        versions = [v.replace(" ", "") for v in api_root.versions]
        if TAXII_MEDIA_TYPE not in versions:
            problems.add(api_root.url, "versions {} do not include {}".format(api_root.versions, TAXII_MEDIA_TYPE))
        if api_root.max_content_length is None:
            problems.add(api_root.url, "no max_content_length")
        collections = api_root.collections
    except (requests.RequestException, TAXIIServiceException, ValueError) as err:
        problems.add(api_root.url, describe_error(err))
        return entry
    for collection in collections:
        try:
            entry["collections"].append(read_collection(collection, args, problems, log, session))
        except (requests.RequestException, TAXIIServiceException, ValueError) as err:
            problems.add(collection.url, describe_error(err))
    return entry


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Read everything a TAXII 2.1 server serves with taxii2-client and check it."
    )
    parser.add_argument("discovery_url", metavar="DISCOVERY_URL")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--per-request", type=int, default=100, metavar="N",
                        help="objects asked for per page (the 'limit' parameter; default 100)")
    parser.add_argument("--no-per-object", action="store_true",
                        help="skip get_object and object_versions for each object")
    parser.add_argument("--per-object-limit", type=int, metavar="K",
                        help="only check the first K objects of each collection one by one")
    args = parser.parse_args(argv)
    if args.per_request < 1:
        parser.error("--per-request must be at least 1")
    if (args.user is None) != (args.password is None):
        parser.error("give both --user and --password, or neither")

    problems = Problems()
    log = ResponseLog(problems)
    session = requests.Session()
    if args.user is not None:
        session.auth = (args.user, args.password)

    server = Server(args.discovery_url, user=args.user, password=args.password)
    log.attach(server)
    try:
        discovery = server._raw  # fetches discovery; taxii2-client requires a title
        if not server.title:
            raise TAXIIServiceException("discovery has an empty title")
        api_roots = server.api_roots
    except (requests.RequestException, TAXIIServiceException, ValueError) as err:
        print("read_all: {}: cannot read discovery: {}".format(server.url, describe_error(err)), file=sys.stderr)
        return 2

    result = {"discovery": discovery, "api_roots": []}
    for api_root in api_roots:
        result["api_roots"].append(read_api_root(api_root, args, problems, log, session))

    json.dump(result, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
    if problems:
        problems.report(sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
