#!/usr/bin/env python3
"""Peer check of the detection feeds stixpress writes under <audience-output>/feeds/.

Usage: python check_feeds.py FEEDS_DIR

Each feed is read back with the library its consumers use (stix2, feedparser,
PyMISP, yara-python, pySigma) or, for the plain blocklists, with Python's
standard library, so that a feed stixpress writes is a feed those tools accept.

On success: prints one JSON object (counts per feed) on stdout and exits 0.
On failure: prints every problem found as "file: what: value" on stderr and
exits 1. A missing peer library is a failure, never a skip.

The pinned versions are in tests/conformance/requirements.txt.
"""

import copy
import csv
import gzip
import hashlib
import ipaddress
import json
import re
import sys
import unicodedata
import urllib.parse
from pathlib import Path

# The peers. A missing one must fail the check (exit 1), not skip a feed:
# a check that silently skips would pass on a machine without the peers.
try:
    import feedparser
    import stix2
    import yara
    from mitreattack.navlayers import Layer
    from openpyxl import Workbook
    from pymisp import MISPAttribute, MISPEvent
    from sigma.collection import SigmaCollection
    from sigma.rule import SigmaRule
except ImportError as missing:
    print(
        f"check_feeds: peer library missing: {missing.name} "
        "(install tests/conformance/requirements.txt)",
        file=sys.stderr,
    )
    sys.exit(1)


# --------------------------------------------------------------------------
# Problem collection
# --------------------------------------------------------------------------


class Report:
    """Collects problems, so that one run shows all of them, not the first."""

    def __init__(self, root):
        self.root = root
        self.problems = []

    def add(self, path, what, value=""):
        try:
            name = str(Path(path).relative_to(self.root))
        except ValueError:
            name = str(path)
        self.problems.append((name, what, value))

    def print_problems(self):
        for name, what, value in self.problems:
            # repr() shows what a plain print would hide (\r, NUL, ...).
            shown = value if isinstance(value, str) and value.isprintable() else repr(value)
            if len(shown) > 300:
                shown = shown[:300] + "..."
            line = f"{name}: {what}: {shown}" if shown else f"{name}: {what}"
            print(line, file=sys.stderr)


def require_file(report, path):
    """True when path is a regular file; reports it missing otherwise."""
    if path.is_file():
        return True
    report.add(path, "missing file")
    return False


def require_dir(report, path):
    if path.is_dir():
        return True
    report.add(path, "missing directory")
    return False


def load_json(report, path):
    """The parsed JSON of path, or None (reported) when it is not JSON."""
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        report.add(path, "not valid JSON", str(exc))
        return None


# --------------------------------------------------------------------------
# 1. blocklists/<kind>.txt
# --------------------------------------------------------------------------

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DOMAIN_LABEL = re.compile(r"[a-z0-9_-]{1,63}")
SSDEEP = re.compile(r"[0-9]+:[A-Za-z0-9/+]+:[A-Za-z0-9/+]+")
MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
# [0-9] and not \d: \d also matches non-ASCII digits in Python.
DECIMAL = re.compile(r"[0-9]+")


def is_ipv4(value):
    # IPv4Address refuses a prefix ("/32") and leading zeros, so whatever it
    # accepts is already in canonical dotted-quad form.
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def is_ipv6(value):
    # Blocklist consumers compare strings, so the address must be written the
    # one way Python (RFC 5952) writes it: compressed, lower case. A zone id
    # ("%eth0") names an interface of one host: meaningless in a blocklist.
    if "%" in value:
        return False
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return str(address) == value


def is_cidr(value):
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


def is_domain(value):
    if not value.isascii() or len(value) > 253 or value.endswith("."):
        return False
    labels = value.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not DOMAIN_LABEL.fullmatch(label):
            return False
        if label.startswith("-") or label.endswith("-"):
            return False
    return True


def is_url(value):
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return False
    scheme = parts.scheme
    if not (scheme.isascii() and scheme.isalpha()):
        return False
    # urlsplit lower-cases the scheme, so compare "://" right after it.
    if value[len(scheme) : len(scheme) + 3] != "://":
        return False
    return parts.netloc != ""


def is_email(value):
    if value.count("@") != 1:
        return False
    local, domain = value.split("@")
    return local != "" and is_domain(domain)


def is_hex(value, length):
    return len(value) == length and re.fullmatch(r"[0-9a-f]+", value) is not None


def is_ssdeep(value):
    return SSDEEP.fullmatch(value) is not None


def is_filename(value):
    return value != "" and "/" not in value and "\x00" not in value


def is_mac(value):
    return MAC.fullmatch(value) is not None


def is_non_empty(value):
    return value != ""


def is_asn(value):
    # Canonical decimal only (no leading zeros), so "64512" and "064512"
    # cannot both end up in the list as two different values.
    if not DECIMAL.fullmatch(value):
        return False
    return str(int(value)) == value and int(value) <= 4294967295


BLOCKLIST_KINDS = {
    "ipv4": is_ipv4,
    "ipv6": is_ipv6,
    "cidr": is_cidr,
    "domain": is_domain,
    "url": is_url,
    "email": is_email,
    "md5": lambda v: is_hex(v, 32),
    "sha1": lambda v: is_hex(v, 40),
    "sha256": lambda v: is_hex(v, 64),
    "sha512": lambda v: is_hex(v, 128),
    "ssdeep": is_ssdeep,
    "filename": is_filename,
    "mac": is_mac,
    "mutex": is_non_empty,
    "registry-key": is_non_empty,
    "asn": is_asn,
    "user-agent": is_non_empty,
}


def has_control_character(line):
    # Cc covers C0, DEL and C1 (\r, \t, \x85 ...). U+2028/U+2029 are refused
    # too: Python's str.splitlines() and many editors break lines on them.
    for ch in line:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return True
    return False


def read_blocklist_lines(report, path):
    """The values of a one-value-a-line file; reports every format problem.

    Format: UTF-8, every line ends with "\\n", no empty line, no control
    character, strictly ascending by UTF-8 bytes (so sorted and no duplicate).
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add(path, "not UTF-8", str(exc))
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the "\n" ending the last line (or an empty file)
    else:
        report.add(path, "last line does not end with \\n", lines[-1])
    values = []
    previous = None
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if line == "":
            report.add(where, "empty line")
            continue
        if has_control_character(line):
            report.add(where, "control character in line", line)
        current = line.encode("utf-8")
        if previous is not None and current == previous:
            report.add(where, "duplicate value", line)
        elif previous is not None and current < previous:
            report.add(where, "not sorted by UTF-8 bytes (comes before the line above)", line)
        previous = current
        values.append(line)
    return values


def check_blocklists(report, feeds):
    """Returns {kind: [values]} for the CSV check."""
    folder = feeds / "blocklists"
    values_by_kind = {kind: [] for kind in BLOCKLIST_KINDS}
    if not require_dir(report, folder):
        return values_by_kind
    # An unknown list means the writer grew a kind this checker does not know.
    for path in sorted(folder.glob("*.txt")):
        if path.stem not in BLOCKLIST_KINDS:
            report.add(path, "unknown blocklist kind (add it to check_feeds.py)", path.stem)
    for kind, is_valid in BLOCKLIST_KINDS.items():
        path = folder / f"{kind}.txt"
        if not require_file(report, path):
            continue
        values = read_blocklist_lines(report, path)
        for value in values:
            if not is_valid(value):
                report.add(path, f"invalid {kind} value", value)
        values_by_kind[kind] = values
    return values_by_kind


# --------------------------------------------------------------------------
# 2. blocklists/indicators.csv
# --------------------------------------------------------------------------

CSV_HEADER = [
    "value", "kind", "indicator_id", "indicator_name", "confidence",
    "valid_from", "valid_until", "labels", "kill_chain_phases", "created_by",
    "report_ids", "report_names",
]
INDICATOR_ID = re.compile(r"indicator--[0-9a-f-]{36}")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_indicators_csv(report, feeds, values_by_kind):
    """Returns the number of data rows."""
    path = feeds / "blocklists" / "indicators.csv"
    if not require_file(report, path):
        return 0
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        report.add(path, "not a readable UTF-8 CSV", str(exc))
        return 0
    if not rows or rows[0] != CSV_HEADER:
        report.add(path, "header is not " + ",".join(CSV_HEADER), rows[0] if rows else "")
        return 0
    listed = {(value, kind) for kind, values in values_by_kind.items() for value in values}
    in_csv = set()
    previous = None
    for number, row in enumerate(rows[1:], start=2):
        where = f"{path}:{number}"
        if len(row) != len(CSV_HEADER):
            report.add(where, f"row has {len(row)} fields, expected {len(CSV_HEADER)}", row)
            continue
        value, kind, indicator_id = row[0], row[1], row[2]
        # A spreadsheet would run a cell starting with one of these as a formula.
        for field in row:
            if field.startswith(FORMULA_STARTS):
                report.add(where, "a field a spreadsheet runs as a formula", field)
        # The README's rule for readers: a field starting with ' had one added.
        if value.startswith("'"):
            value = value[1:]
        if (value, kind) not in listed:
            report.add(where, f"value not in blocklists/{kind}.txt", value)
        in_csv.add((value, kind))
        if not INDICATOR_ID.fullmatch(indicator_id):
            report.add(where, "invalid indicator_id", indicator_id)
        # Sorted by (kind, value, indicator_id) compared as UTF-8 bytes; an
        # equal key would be the same indicator listed twice for one value.
        key = (kind.encode("utf-8"), value.encode("utf-8"), indicator_id.encode("utf-8"))
        shown = f"{kind} {value} {indicator_id}"
        if previous is not None and key == previous:
            report.add(where, "duplicate (kind, value, indicator_id) row", shown)
        elif previous is not None and key < previous:
            report.add(where, "row before the one above by (kind, value, indicator_id) bytes", shown)
        previous = key
    for value, kind in sorted(listed - in_csv):
        report.add(path, f"value of blocklists/{kind}.txt has no row", value)
    return len(rows) - 1


# --------------------------------------------------------------------------
# 3. bundles/
# --------------------------------------------------------------------------

BUNDLE_ID = re.compile(r"bundle--" + UUID)


def load_bundle(report, path):
    """The bundle's objects (a list), or None when it is not a usable bundle."""
    bundle = load_json(report, path)
    if bundle is None:
        return None
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        report.add(path, "not a STIX bundle (type is not \"bundle\")")
        return None
    if not BUNDLE_ID.fullmatch(str(bundle.get("id"))):
        report.add(path, "bundle id is not bundle--<uuid>", bundle.get("id"))
    objects = bundle.get("objects")
    if not isinstance(objects, list):
        report.add(path, "bundle has no objects list")
        return None
    try:
        if objects:
            stix2.parse(bundle, allow_custom=True)
        else:
            # stix2 3.0.2 guesses the spec version from the objects and
            # crashes (max() of an empty sequence) on an empty bundle, so
            # name the version for that one case.
            stix2.parse(bundle, allow_custom=True, version="2.1")
    except Exception as exc:  # stix2 raises many exception types
        report.add(path, "stix2.parse rejects the bundle", f"{type(exc).__name__}: {exc}")
    for number, obj in enumerate(objects):
        if not isinstance(obj, dict) or "id" not in obj or "type" not in obj:
            report.add(path, f"object {number} has no id or type", obj)
            return None
    return objects


def object_version(obj):
    # SDOs/SROs carry modified, marking definitions only created, and SCOs
    # neither (None): the same object in two bundles must carry the same one.
    return (obj["id"], obj.get("modified") or obj.get("created"))


def check_bundles(report, feeds):
    """Returns (number of objects in all.json, {type: count})."""
    folder = feeds / "bundles"
    if not require_dir(report, folder):
        return 0, {}
    all_path = folder / "all.json"
    gz_path = folder / "all.json.gz"
    all_objects = None
    if require_file(report, all_path):
        all_objects = load_bundle(report, all_path)
    if require_file(report, gz_path) and all_path.is_file():
        try:
            unzipped = gzip.decompress(gz_path.read_bytes())
        except (OSError, EOFError) as exc:
            report.add(gz_path, "not a gzip file", str(exc))
        else:
            if unzipped != all_path.read_bytes():
                report.add(gz_path, "gunzip differs from all.json")
    if all_objects is None:
        return 0, {}

    type_counts = {}
    all_versions = set()
    seen_ids = set()
    for obj in all_objects:
        if obj["id"] in seen_ids:
            report.add(all_path, "id twice in all.json", obj["id"])
        seen_ids.add(obj["id"])
        all_versions.add(object_version(obj))
        type_counts[obj["type"]] = type_counts.get(obj["type"], 0) + 1

    per_type_versions = set()
    for path in sorted(folder.glob("*.json")):
        if path.name == "all.json":
            continue
        objects = load_bundle(report, path)
        if objects is None:
            continue
        if not objects:
            report.add(path, "per-type bundle has no objects (write one only for types present)")
        for obj in objects:
            if obj["type"] != path.stem:
                report.add(path, f"object of type {obj['type']} in {path.name}", obj["id"])
            version = object_version(obj)
            if version in per_type_versions:
                report.add(path, "object listed twice across per-type bundles", obj["id"])
            per_type_versions.add(version)

    for object_id, stamp in sorted(all_versions - per_type_versions, key=str):
        report.add(all_path, "object missing from the per-type bundles", f"{object_id} {stamp}")
    for object_id, stamp in sorted(per_type_versions - all_versions, key=str):
        report.add(folder, "per-type bundle object not in all.json", f"{object_id} {stamp}")
    return len(all_objects), dict(sorted(type_counts.items()))


# --------------------------------------------------------------------------
# 4. atom/
# --------------------------------------------------------------------------

ATOM_FEEDS = ["reports", "indicators", "changes"]


def check_atom_feed(report, path):
    """Returns the number of entries."""
    # Bytes, not the path: given a string, feedparser may take it for a URL
    # or for the XML itself.
    parsed = feedparser.parse(path.read_bytes())
    # bozo == 1 means feedparser had to recover from a malformed document.
    if parsed.bozo:
        report.add(path, "feedparser bozo", repr(parsed.get("bozo_exception")))
    if parsed.version != "atom10":
        report.add(path, "feedparser version is not atom10", parsed.version)
    for number, entry in enumerate(parsed.entries):
        for key in ("id", "title", "updated"):
            if not entry.get(key):
                report.add(path, f"entry {number} has no {key}", entry.get("id", ""))
        # Not entry.link: feedparser fills that in from the id when the entry
        # has no <link>. entry.links holds only real <link href> elements.
        if not any(link.get("href") for link in entry.get("links", [])):
            report.add(path, f"entry {number} has no link", entry.get("id", ""))
    return len(parsed.entries)


def check_atom(report, feeds):
    counts = {}
    for stem in ATOM_FEEDS:
        path = feeds / "atom" / f"{stem}.xml"
        if require_file(report, path):
            counts[stem] = check_atom_feed(report, path)
    return counts


# --------------------------------------------------------------------------
# 5. navigator/
# --------------------------------------------------------------------------

NAVIGATOR_DOMAINS = {"enterprise-attack", "mobile-attack", "ics-attack"}
TECHNIQUE_ID = re.compile(r"T[0-9]{4}(\.[0-9]{3})?")


def check_layer(report, path):
    layer = load_json(report, path)
    if not isinstance(layer, dict):
        if layer is not None:
            report.add(path, "layer is not a JSON object")
        return
    name = layer.get("name")
    if not isinstance(name, str) or name == "":
        report.add(path, "name missing or empty", name)
    if layer.get("domain") not in NAVIGATOR_DOMAINS:
        report.add(path, "domain missing or not an ATT&CK domain", layer.get("domain"))
    if "versions" in layer:
        versions = layer["versions"]
        if not isinstance(versions, dict) or versions.get("layer") != "4.5":
            report.add(path, "versions.layer is not \"4.5\"", versions)
        elif not isinstance(versions.get("navigator"), str):
            report.add(path, "versions.navigator missing", versions)
    check_layer_with_mitreattack(report, path, name)
    techniques = layer.get("techniques")
    if not isinstance(techniques, list):
        report.add(path, "techniques is not a list", techniques)
        return
    for number, technique in enumerate(techniques):
        if not isinstance(technique, dict):
            report.add(path, f"technique {number} is not an object", technique)
            continue
        technique_id = technique.get("techniqueID")
        if not isinstance(technique_id, str) or not TECHNIQUE_ID.fullmatch(technique_id):
            report.add(path, f"technique {number} has a bad techniqueID", technique_id)
        if "score" in technique:
            score = technique["score"]
            # bool is an int in Python, but not a number in the layer format.
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                report.add(path, f"technique {number} score is not a number", score)


def check_layer_with_mitreattack(report, path, name):
    """MITRE's own library loads the layer, and its Excel export (ToExcel) can
    name a sheet after it: it sets the sheet title to the layer's name, which
    openpyxl (as Excel) refuses when it holds : \\ / ? * [ ]."""
    try:
        Layer().from_file(str(path))
    except Exception as exc:  # mitreattack raises its own and JSON errors
        report.add(path, "mitreattack-python does not load the layer", f"{type(exc).__name__}: {exc}")
    if isinstance(name, str):
        try:
            Workbook().active.title = name
        except ValueError as exc:
            report.add(path, "the layer name is no Excel sheet name (ToExcel refuses it)", f"{name}: {exc}")


def check_navigator(report, feeds):
    """Returns the number of layers."""
    folder = feeds / "navigator"
    # No folder when nothing uses an ATT&CK technique: a static site has no empty folders.
    if not folder.exists():
        return 0
    if not require_dir(report, folder):
        return 0
    layers = sorted(folder.glob("*.json"))
    for path in layers:
        check_layer(report, path)
    return len(layers)


# --------------------------------------------------------------------------
# 6. misp/
# --------------------------------------------------------------------------

MANIFEST_KEYS = ["Orgc", "Tag", "info", "date", "analysis", "threat_level_id", "timestamp"]
EVENT_UUID = re.compile(UUID)
HASH_LINE = re.compile(r"([0-9a-f]{32}),(" + UUID + r")")
MISP_CATEGORIES = MISPAttribute().describe_types["categories"]


def raw_attributes(event):
    """Every attribute dict of a raw event: its own and its objects'."""
    attributes = list(event.get("Attribute") or [])
    for misp_object in event.get("Object") or []:
        if isinstance(misp_object, dict):  # (PyMISP reports the others)
            attributes += misp_object.get("Attribute") or []
    return attributes


def check_misp_attribute(report, path, attribute):
    """Reports what PyMISP (or a MISP feed consumer) would refuse in one attribute."""
    if not isinstance(attribute, dict):
        report.add(path, "attribute is not an object", attribute)
        return
    attribute_type = attribute.get("type")
    category = attribute.get("category")
    if not attribute_type or not category:
        # Without a category PyMISP silently picks its default one: the feed
        # must say which it means.
        report.add(path, "attribute without type or category", attribute)
        return
    if "|" in attribute_type:
        # MISP hashes each part of a composite value separately; stixpress
        # writes none, so one showing up is a writer bug.
        report.add(path, "composite attribute type", attribute_type)
    if category not in MISP_CATEGORIES:
        # (checked here because PyMISP only raises a bare KeyError for it)
        report.add(path, "unknown MISP category", category)
        return
    # Loading the event is not enough: PyMISP's default non-strict
    # MISPAttribute silently drops a category that does not fit the type.
    # strict=True makes it raise on a bad type/category pair instead.
    try:
        MISPAttribute(strict=True).from_dict(**copy.deepcopy(attribute))
    except Exception as exc:  # PyMISP raises NewAttributeError, KeyError...
        report.add(path, "PyMISP rejects attribute", f"{type(exc).__name__}: {exc}")
    value = attribute.get("value")
    if not isinstance(value, str) or value == "":
        report.add(path, "attribute value is not a non-empty string", value)


def attribute_md5(attribute):
    """The hashes.csv hash of an attribute's value, or None without a value.

    Same as PyMISP's MISPAttribute.hash_values('md5') for a non-composite type.
    """
    if not isinstance(attribute, dict) or not isinstance(attribute.get("value"), str):
        return None
    return hashlib.md5(attribute["value"].encode("utf-8")).hexdigest()


def load_misp_event(report, path):
    """(raw event dict, MISPEvent), or None when the file cannot be used."""
    data = load_json(report, path)
    if data is None:
        return None
    # MISPEvent.load() also takes a bare event; a feed file must be wrapped.
    if not isinstance(data, dict) or list(data) != ["Event"] or not isinstance(data["Event"], dict):
        report.add(path, "event file is not {\"Event\": {...}}")
        return None
    event = MISPEvent()
    try:
        event.load_file(path)
    except Exception as exc:  # PyMISP raises NewEventError, KeyError...
        report.add(path, "PyMISP cannot load the event", f"{type(exc).__name__}: {exc}")
        return data["Event"], None
    if event.uuid != path.stem:
        report.add(path, "event uuid differs from the file name", event.uuid)
    return data["Event"], event


def load_manifest_entry(report, path, event_uuid, entry):
    """The manifest entry loaded as a MISPEvent, or None."""
    if not isinstance(entry, dict):
        report.add(path, "manifest entry is not an object", event_uuid)
        return None
    for key in MANIFEST_KEYS:
        if key not in entry:
            report.add(path, f"manifest entry has no {key}", event_uuid)
    orgc = entry.get("Orgc")
    if not isinstance(orgc, dict) or not orgc.get("name") or not orgc.get("uuid"):
        report.add(path, "manifest Orgc lacks name or uuid", event_uuid)
    if not isinstance(entry.get("Tag"), list):
        report.add(path, "manifest Tag is not a list", event_uuid)
        return None
    # A manifest entry is the event's metadata without attributes, which is
    # what MISPEvent.from_dict() reads (info is its one required key); it
    # turns "date", "timestamp", "analysis"... into date, datetime and int,
    # so comparing with the event file does not depend on "1" versus 1.
    manifest_event = MISPEvent()
    try:
        manifest_event.from_dict(**copy.deepcopy(entry))
    except Exception as exc:
        report.add(path, "PyMISP cannot load the manifest entry", f"{event_uuid}: {type(exc).__name__}: {exc}")
        return None
    return manifest_event


def misp_summary(event):
    """The fields a MISP feed consumer reads from the manifest."""
    orgc = getattr(event, "Orgc", None)
    return {
        "info": getattr(event, "info", None),
        "date": getattr(event, "date", None),
        "analysis": getattr(event, "analysis", None),
        "threat_level_id": getattr(event, "threat_level_id", None),
        "timestamp": getattr(event, "timestamp", None),
        "Orgc.name": getattr(orgc, "name", None),
        "Orgc.uuid": getattr(orgc, "uuid", None),
        "Tag": sorted(tag.name for tag in event.tags),
    }


# Taxonomies MISP's sharing, sync and export filters and its galaxies act on.
# An event has at most one TLP tag (from its markings); none of the others.
ACTED_ON = re.compile(r"\s*(pap|misp-galaxy|misp|workflow)\s*:", re.IGNORECASE)
TLP_TAG = re.compile(r"\s*tlp\s*:", re.IGNORECASE)


def check_event_tags(report, path, event_uuid, event):
    names = [tag.name for tag in event.tags]
    if sum(1 for name in names if TLP_TAG.match(name)) > 1:
        report.add(path, "event has more than one TLP tag", f"{event_uuid}: {names}")
    for name in names:
        if ACTED_ON.match(name):
            report.add(path, "event has a tag MISP acts on that no marking gave", f"{event_uuid}: {name}")


def compare_manifest(report, path, event_uuid, manifest_event, event):
    # PyMISP's own feed generator (pymisp/tools/feed.py) builds the manifest
    # from the event (MISPEvent.manifest), which needs info and Orgc.
    check_event_tags(report, path, event_uuid, event)
    if not hasattr(event, "Orgc"):
        report.add(path, "event has no Orgc (PyMISP's manifest needs it)", event_uuid)
    expected = misp_summary(event)
    found = misp_summary(manifest_event)
    for key in expected:
        if expected[key] != found[key]:
            report.add(path, f"manifest {key} differs from the event file", f"{event_uuid}: {found[key]!r} != {expected[key]!r}")


def check_hashes_csv(report, path, expected_lines):
    if not require_file(report, path):
        return
    found_lines = set()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        report.add(path, "not UTF-8", str(exc))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not HASH_LINE.fullmatch(line):
            report.add(f"{path}:{number}", "line is not md5hex,event_uuid", line)
            continue
        found_lines.add(line)
    for line in sorted(expected_lines - found_lines):
        report.add(path, "missing line", line)
    for line in sorted(found_lines - expected_lines):
        report.add(path, "line matches no attribute", line)


def check_misp(report, feeds):
    """Returns (number of events, number of attributes)."""
    folder = feeds / "misp"
    if not require_dir(report, folder):
        return 0, 0
    manifest_path = folder / "manifest.json"
    if not require_file(report, manifest_path):
        return 0, 0
    manifest = load_json(report, manifest_path)
    if not isinstance(manifest, dict):
        if manifest is not None:
            report.add(manifest_path, "manifest is not an object keyed by event uuid")
        return 0, 0

    event_files = {path.stem for path in folder.glob("*.json")} - {"manifest"}
    for stem in sorted(event_files - set(manifest)):
        report.add(folder / f"{stem}.json", "event file not in manifest.json")

    expected_hash_lines = set()
    attribute_count = 0
    for event_uuid, entry in manifest.items():
        if not EVENT_UUID.fullmatch(event_uuid):
            report.add(manifest_path, "manifest key is not a lower-case uuid", event_uuid)
            continue
        event_path = folder / f"{event_uuid}.json"
        if not require_file(report, event_path):
            continue
        loaded = load_misp_event(report, event_path)
        if loaded is None:
            continue
        raw_event, event = loaded
        for attribute in raw_attributes(raw_event):
            attribute_count += 1
            check_misp_attribute(report, event_path, attribute)
            md5 = attribute_md5(attribute)
            if md5 is not None:
                expected_hash_lines.add(f"{md5},{event_uuid}")
        manifest_event = load_manifest_entry(report, manifest_path, event_uuid, entry)
        if manifest_event is not None and event is not None:
            compare_manifest(report, manifest_path, event_uuid, manifest_event, event)

    check_hashes_csv(report, folder / "hashes.csv", expected_hash_lines)
    return len(manifest), attribute_count


# --------------------------------------------------------------------------
# 7. rules/
# --------------------------------------------------------------------------

# Published rules only alert: any other action changes what the consumer's IDS lets through.
SNORT_RULE = re.compile(r"^alert\s+\S+\s.*\(.*\)\s*$")
SID = re.compile(r"(?:^|[(;\s])sid\s*:\s*([0-9]+)\s*;")


def check_yara(report, path):
    """Returns the names of the compiled rules, in order."""
    if not require_file(report, path):
        return []
    try:
        source = path.read_text(encoding="utf-8")
        # includes=False: the published file must stand alone.
        rules = yara.compile(source=source, includes=False)
    except (UnicodeDecodeError, yara.Error) as exc:
        report.add(path, "yara does not compile the rules", str(exc))
        return []
    # Iterating compiled rules yields every rule, private and global ones too.
    return [rule.identifier for rule in rules]


def check_sigma_file(report, path):
    """Returns the number of rules in one Sigma YAML file."""
    try:
        collection = SigmaCollection.from_yaml(path.read_text(encoding="utf-8"))
        # pySigma parses a rule's condition only when it is first used (for a
        # conversion): parse it now so a bad condition fails here.
        for rule in collection.rules:
            if isinstance(rule, SigmaRule):
                for condition in rule.detection.parsed_condition:
                    condition.parsed
    except Exception as exc:  # pySigma raises SigmaError subclasses, YAML errors...
        report.add(path, "pySigma rejects the file", f"{type(exc).__name__}: {exc}")
        return 0
    if not collection.rules:
        report.add(path, "no Sigma rule in the file")
    return len(collection.rules)


def check_sigma(report, folder):
    # The folder exists only when there is a Sigma rule: a static site has no empty folders.
    if not folder.exists():
        return 0
    if not require_dir(report, folder):
        return 0
    return sum(check_sigma_file(report, path) for path in sorted(folder.glob("*.yml")))


def check_snort_style(report, path):
    """Snort and Suricata share the rule header syntax: returns the rule count."""
    if not require_file(report, path):
        return 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        report.add(path, "not UTF-8", str(exc))
        return 0
    count = 0
    sids = {}
    for number, line in enumerate(lines, start=1):
        if line.strip() == "" or line.startswith("#"):
            continue
        if not SNORT_RULE.match(line):
            report.add(f"{path}:{number}", "neither an alert rule nor a # comment", line)
            continue
        count += 1
        found = SID.findall(line)
        if len(found) != 1:
            report.add(f"{path}:{number}", "a rule needs exactly one sid", line)
        elif found[0] in sids:
            report.add(f"{path}:{number}", f"sid {found[0]} is also on line {sids[found[0]]}", line)
        else:
            sids[found[0]] = number
    return count


def check_rules(report, feeds):
    folder = feeds / "rules"
    require_dir(report, folder)
    yara_rule_names = check_yara(report, folder / "yara.yar")
    return {
        "yara_rules": len(yara_rule_names),
        "yara_rule_names": yara_rule_names,
        "sigma_rules": check_sigma(report, folder / "sigma"),
        "snort_rules": check_snort_style(report, folder / "snort.rules"),
        "suricata_rules": check_snort_style(report, folder / "suricata.rules"),
    }


# --------------------------------------------------------------------------


def guarded(report, feed, default, check, *args):
    """Runs one feed's check; input malformed in a way the check did not
    foresee becomes a reported problem, so the other feeds still get checked."""
    try:
        return check(report, *args)
    except Exception as exc:
        report.add(report.root / feed, "checker stopped on unexpected input", f"{type(exc).__name__}: {exc}")
        return default


def main(argv):
    if len(argv) != 2:
        print("usage: python check_feeds.py FEEDS_DIR", file=sys.stderr)
        return 2
    feeds = Path(argv[1])
    report = Report(feeds)
    if not require_dir(report, feeds):
        report.print_problems()
        return 1

    empty_lists = {kind: [] for kind in BLOCKLIST_KINDS}
    values_by_kind = guarded(report, "blocklists", empty_lists, check_blocklists, feeds)
    csv_rows = guarded(report, "blocklists/indicators.csv", 0, check_indicators_csv, feeds, values_by_kind)
    bundle_objects, bundle_types = guarded(report, "bundles", (0, {}), check_bundles, feeds)
    atom = guarded(report, "atom", {}, check_atom, feeds)
    layers = guarded(report, "navigator", 0, check_navigator, feeds)
    misp_events, misp_attributes = guarded(report, "misp", (0, 0), check_misp, feeds)
    rule_counts = guarded(report, "rules", {}, check_rules, feeds)

    if report.problems:
        report.print_problems()
        print(f"check_feeds: {len(report.problems)} problem(s) in {feeds}", file=sys.stderr)
        return 1
    summary = {
        "blocklists": {kind: len(values) for kind, values in values_by_kind.items()},
        "csv_rows": csv_rows,
        "bundle_objects": bundle_objects,
        "bundle_types": bundle_types,
        "atom": atom,
        "layers": layers,
        "misp_events": misp_events,
        "misp_attributes": misp_attributes,
        **rule_counts,
    }
    print(json.dumps(summary, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
