"""Peers of `stixpress import` for MISP (tests/import.rs runs this with the peers' Python).

  event OUT       writes a MISP event made with PyMISP ({"Event": …}, as MISP exports it)
  types OUT       writes a MISP event with one `to_ids` attribute of each type that is not a
                  blocklist value (pairs, certificates, ports, rules, CVEs, prose) and a few
                  of them again without `to_ids`
  misp-stix EVENT prints what MISP's own converter (misp-stix, STIX 2.1) makes of the event:
                  {"patterns": [...], "values": [...]} (indicator patterns, observable values)
  feed DIR        writes a MISP feed made with PyMISP: two events (`to_feed()`) as <uuid>.json
                  and the manifest.json and hashes.csv of pymisp.tools.feed.feed_meta_generator
  validate BUNDLE prints {"valid": bool, "messages": [...]} from the OASIS stix2-validator
"""

import json
import sys


def event(out):
    e = make_event()
    with open(out, "w") as f:
        f.write(json.dumps({"Event": json.loads(e.to_json())}, indent=1))


def feed(out):
    import pathlib

    from pymisp import MISPEvent, MISPOrganisation
    from pymisp.tools.feed import feed_meta_generator

    folder = pathlib.Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    second = MISPEvent()
    second.uuid = "0a9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c"
    second.info = "Phishing wave"
    second.date = "2026-11-25"
    second.timestamp = 1795400000
    org = MISPOrganisation()
    org.name = "CERT Example"
    org.uuid = "11111111-2222-4333-8444-555555555555"
    second.Orgc = org
    second.add_tag("tlp:clear")
    second.add_attribute("url", "http://phish-login.net/verify", to_ids=True)
    second.add_attribute("ip-src", "198.51.100.99", to_ids=True)
    for attribute in second.attributes:
        attribute.timestamp = 1795400000
    for e in (make_event(), second):
        with open(folder / f"{e.uuid}.json", "w") as f:
            json.dump(e.to_feed(), f, indent=1)
    feed_meta_generator(folder)


TYPES = [
    ("AS", "AS64500"),
    ("regkey|value", "HKLM\\Software\\Relay|evil"),
    ("domain|ip", "relay-c2.net|203.0.113.7"),
    ("hostname|port", "relay-c2.net|8443"),
    ("email-subject", "Invoice due"),
    ("email-attachment", "invoice.zip"),
    ("email-reply-to", "reply@relay-c2.net"),
    ("x509-fingerprint-sha1", "e" * 40),
    ("x509-fingerprint-sha256", "f" * 64),
    ("x509-fingerprint-md5", "a" * 32),
    ("port", "8443"),
    ("size-in-bytes", "1024"),
    ("http-method", "POST"),
    ("mime-type", "application/zip"),
    ("windows-service-name", "RelaySvc"),
    ("vulnerability", "CVE-2024-3094"),
    ("campaign-name", "Relay wave"),
    ("threat-actor", "Relay crew"),
    ("comment", "The crew reuses its relay hosts."),
    ("yara", "rule relay_loader { strings: $a = \"relay\" condition: $a }"),
    ("malware-sample", "relay.exe|" + "2" * 32),
    ("mutex", "Global\\relay"),
]


def types(out):
    from pymisp import MISPEvent

    e = MISPEvent()
    e.uuid = "7d1f0c2e-4b3a-4c5d-8e6f-9a0b1c2d3e4f"
    e.info = "Relay crew, every type"
    e.date = "2026-11-21"
    e.timestamp = 1795100000
    e.add_tag("tlp:clear")
    for misp_type, value in TYPES:
        e.add_attribute(misp_type, value, to_ids=True)
    e.add_attribute("domain|ip", "seen.relay-c2.net|198.51.100.4", to_ids=False)
    e.add_attribute("x509-fingerprint-sha1", "9" * 40, to_ids=False)
    e.add_attribute("port", "22", to_ids=False)
    for attribute in e.attributes:
        attribute.timestamp = 1795100000
    with open(out, "w") as f:
        f.write(json.dumps({"Event": json.loads(e.to_json())}, indent=1))


def make_event():
    from pymisp import MISPEvent, MISPObject, MISPOrganisation

    e = MISPEvent()
    e.uuid = "5f7c2b1e-3a4d-4e6f-8a9b-0c1d2e3f4a5b"
    e.info = "Relay crew infrastructure"
    e.date = "2026-11-20"
    e.timestamp = 1795000000
    org = MISPOrganisation()
    org.name = "CERT Example"
    org.uuid = "11111111-2222-4333-8444-555555555555"
    e.Orgc = org
    e.add_tag("tlp:clear")
    e.add_tag('misp-galaxy:mitre-attack-pattern="Web Protocols - T1071.001"')
    e.add_tag("kill-chain:command-and-control")
    e.add_attribute("ip-dst", "203.0.113.200", to_ids=True, comment="c2")
    e.add_attribute("domain", "relay-c2.net", to_ids=True)
    e.add_attribute("url", "https://relay-c2.net/it's/a\\path", to_ids=True)
    e.add_attribute("sha256", "a" * 64, to_ids=True)
    e.add_attribute("filename|md5", "dropper.exe|" + "b" * 32, to_ids=True)
    e.add_attribute("domain", "seen-only.net", to_ids=False)
    o = MISPObject("file")
    o.add_attribute("filename", value="relay.apk", to_ids=True)
    o.add_attribute("md5", value="c" * 32, to_ids=True)
    o.add_attribute("sha1", value="d" * 40, to_ids=True)
    o.timestamp = 1795000000
    e.add_object(o)
    for attribute in e.attributes + o.attributes:
        attribute.timestamp = 1795000000
    return e


def misp_stix(path):
    from misp_stix_converter import MISPtoSTIX21Parser

    with open(path) as f:
        document = json.load(f)
    parser = MISPtoSTIX21Parser()
    parser.parse_misp_event(document)
    bundle = json.loads(parser.bundle.serialize())
    patterns, values = [], []
    for o in bundle["objects"]:
        if o["type"] == "indicator":
            patterns.append(o["pattern"])
        elif o["type"] in ("ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr"):
            values.append(o["value"])
    print(json.dumps({"patterns": sorted(patterns), "values": sorted(values)}))


def validate(path):
    from stix2validator import ValidationOptions, validate_file

    with open(path, encoding="utf-8") as handle:
        version = json.load(handle).get("spec_version", "2.1")
    results = validate_file(path, ValidationOptions(version=version))
    messages = []
    for result in results.object_results:
        messages += [f"{result.object_id}: {e}" for e in result.errors]
    print(json.dumps({"valid": results.is_valid, "messages": messages}))


if __name__ == "__main__":
    {"event": event, "types": types, "feed": feed, "misp-stix": misp_stix, "validate": validate}[sys.argv[1]](sys.argv[2])
