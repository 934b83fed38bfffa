#!/usr/bin/env python3
"""Generate the STIX 2.1 object conformance corpus.

Every case is written to ``corpus/<case-name>.json`` as a bundle holding
exactly ONE object:

    {"type": "bundle", "id": "bundle--...", "objects": [OBJECT]}

Case names start with ``valid-`` or ``invalid-``: that prefix is the verdict
the STIX 2.1 specification gives (not necessarily the verdict of the
reference validator; see known-differences.txt).  ``cases.json`` records, for
every case, that expectation and a one-line note on what the case exercises.

The output is deterministic: every UUID is derived from fixed strings and
every timestamp is a constant.  Re-running the script rewrites the corpus
byte-for-byte identically (stale ``*.json`` files in corpus/ are removed).

Usage:  python3 make_corpus.py [--out DIR]
"""

import argparse
import copy
import hashlib
import json
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# Deterministic identifiers
# --------------------------------------------------------------------------

# Namespace the STIX 2.1 specification (section 2.9) defines for
# deterministic SCO identifiers.
STIX_SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
# Private namespace for SCO ids that are NOT computed by the section 2.9
# rules (the specification forbids the STIX namespace for those).
CORPUS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://stixpress.invalid/conformance/objects")


def u4(seed):
    """A deterministic, RFC 4122 compliant version-4 UUID string."""
    digest = hashlib.sha256(("stixpress-corpus:" + seed).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def sid(type_, seed):
    return "%s--%s" % (type_, u4(seed))


def canonical(value):
    # RFC 8785 canonical form for the simple values used here.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ID contributing properties per SCO type (STIX 2.1 section 6).
SCO_CONTRIB = {
    "artifact": ["hashes", "payload_bin"],
    "autonomous-system": ["number"],
    "directory": ["path"],
    "domain-name": ["value"],
    "email-addr": ["value"],
    "email-message": ["from_ref", "subject", "body"],
    "file": ["hashes", "name", "extensions", "parent_directory_ref"],
    "ipv4-addr": ["value"],
    "ipv6-addr": ["value"],
    "mac-addr": ["value"],
    "mutex": ["name"],
    "network-traffic": ["start", "end", "src_ref", "dst_ref", "src_port", "dst_port",
                        "protocols", "extensions"],
    "process": [],
    "software": ["name", "cpe", "swid", "vendor", "version"],
    "url": ["value"],
    "user-account": ["account_type", "user_id", "account_login"],
    "windows-registry-key": ["key", "values"],
    "x509-certificate": ["hashes", "serial_number"],
}
HASH_PREFERENCE = ["MD5", "SHA-1", "SHA-256", "SHA-512"]


def sco_id(obj, seed=None):
    """Identifier for an SCO.

    With seed None: the section 2.9 deterministic UUIDv5 (or a UUIDv4 when no
    ID contributing property is present, and always for process).  With a
    seed: a UUIDv5 in a private namespace, unique per case.
    """
    type_ = obj["type"]
    contrib = {}
    for prop in SCO_CONTRIB[type_]:
        if prop in obj:
            value = obj[prop]
            if prop == "hashes" and isinstance(value, dict) and value:
                algo = next((h for h in HASH_PREFERENCE if h in value), sorted(value)[0])
                value = {algo: value[algo]}
            contrib[prop] = value
    if not contrib:
        body = {k: v for k, v in obj.items() if k != "id"}
        return "%s--%s" % (type_, u4("sco-v4:" + type_ + ":" + (seed or canonical(body))))
    if seed is None:
        return "%s--%s" % (type_, uuid.uuid5(STIX_SCO_NAMESPACE, canonical(contrib)))
    return "%s--%s" % (type_, uuid.uuid5(CORPUS_NAMESPACE, seed + ":" + canonical(contrib)))


# --------------------------------------------------------------------------
# Shared constants
# --------------------------------------------------------------------------

CREATED = "2023-03-01T10:00:00.000Z"
MODIFIED = "2023-03-02T11:30:00.000Z"
T_FIRST = "2023-01-05T08:00:00Z"
T_LAST = "2023-02-20T17:45:30.250Z"

IDENTITY_REF = sid("identity", "ref:identity:acme")
IDENTITY_REF2 = sid("identity", "ref:identity:victim")
LOCATION_REF = sid("location", "ref:location")
INDICATOR_REF = sid("indicator", "ref:indicator")
MALWARE_REF = sid("malware", "ref:malware")
CAMPAIGN_REF = sid("campaign", "ref:campaign")
THREAT_ACTOR_REF = sid("threat-actor", "ref:threat-actor")
OBSERVED_DATA_REF = sid("observed-data", "ref:observed-data")
RELATIONSHIP_REF = sid("relationship", "ref:relationship")
SIGHTING_REF = sid("sighting", "ref:sighting")
REPORT_REF = sid("report", "ref:report")
BUNDLE_REF = sid("bundle", "ref:bundle")
LANGUAGE_CONTENT_REF = sid("language-content", "ref:language-content")
EXTDEF_REF = sid("extension-definition", "ref:extension-definition")
EXTDEF_TOPLEVEL_REF = sid("extension-definition", "ref:extension-definition:toplevel")
STATEMENT_MARKING_REF = sid("marking-definition", "ref:statement-marking")

TLP = {
    "white": ("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "TLP:WHITE"),
    "green": ("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "TLP:GREEN"),
    "amber": ("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "TLP:AMBER"),
    "red": ("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "TLP:RED"),
}
TLP_GREEN_REF = TLP["green"][0]

IPV4_REF = sco_id({"type": "ipv4-addr", "value": "198.51.100.3"})
IPV4_REF2 = sco_id({"type": "ipv4-addr", "value": "203.0.113.7"})
IPV6_REF = sco_id({"type": "ipv6-addr", "value": "2001:db8::1"})
MAC_REF = sco_id({"type": "mac-addr", "value": "d2:fb:49:24:37:18"})
AS_REF = sco_id({"type": "autonomous-system", "number": 64496})
DOMAIN_REF = sco_id({"type": "domain-name", "value": "c2.example.net"})
EMAIL_ADDR_REF = sco_id({"type": "email-addr", "value": "jdoe@example.com"})
EMAIL_ADDR_REF2 = sco_id({"type": "email-addr", "value": "mary@example.org"})
FILE_REF = sco_id({"type": "file", "name": "dropper.exe"})
FILE_REF2 = sco_id({"type": "file", "name": "payload.dll"})
DIRECTORY_REF = sco_id({"type": "directory", "path": "C:\\Windows\\Temp"})
ARTIFACT_REF = sco_id({"type": "artifact", "payload_bin": "VGhpcyBpcyBhIHRlc3Q="})
SOFTWARE_REF = sco_id({"type": "software", "name": "Windows 10 Enterprise", "vendor": "Microsoft"})
SOFTWARE_REF2 = sco_id({"type": "software", "name": "Cuckoo Sandbox", "version": "2.0.7"})
USER_ACCOUNT_REF = sco_id({"type": "user-account", "user_id": "1001", "account_type": "unix"})
PROCESS_REF = "process--" + u4("ref:process")
NETWORK_TRAFFIC_REF = sco_id({"type": "network-traffic", "src_ref": IPV4_REF, "protocols": ["tcp"]})

SHA256 = "6db12788c37247f2316052e142f42f4b259d6561751e5f401a1ae2a6df9c674b"
SHA1 = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"
MD5 = "3773a88f65a5e780c8dff9cdc3a056f3"
SHA512 = ("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")

KILL_CHAIN = [{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "delivery"}]
EXT_REFS = [
    {"source_name": "capec", "external_id": "CAPEC-163"},
    {"source_name": "ACME Threat Intel", "description": "Threat report",
     "url": "https://intel.example.com/reports/2023-001.pdf", "hashes": {"SHA-256": SHA256}},
]

# --------------------------------------------------------------------------
# Base objects
# --------------------------------------------------------------------------


def sdo(type_, **props):
    obj = {"type": type_, "spec_version": "2.1", "id": sid(type_, "base:" + type_),
           "created": CREATED, "modified": MODIFIED}
    obj.update(props)
    return obj


def sco(type_, **props):
    obj = {"type": type_, "spec_version": "2.1"}
    obj.update(props)
    ordered = {"type": type_, "spec_version": "2.1", "id": sco_id(obj)}
    ordered.update(props)
    return ordered


# Minimal valid instance of every specification-defined SDO / SRO / meta type.
MINIMAL = {
    "attack-pattern": sdo("attack-pattern", name="Spearphishing Attachment"),
    "campaign": sdo("campaign", name="Green Group Attacks Against Finance"),
    "course-of-action": sdo("course-of-action", name="Add TCP port 80 Filter Rule"),
    "grouping": sdo("grouping", context="suspicious-activity", object_refs=[INDICATOR_REF]),
    "identity": sdo("identity", name="ACME Corp"),
    "incident": sdo("incident", name="Breach of the payroll system"),
    "indicator": sdo("indicator", pattern="[ipv4-addr:value = '198.51.100.1']",
                     pattern_type="stix", valid_from=T_FIRST),
    "infrastructure": sdo("infrastructure", name="Poison Ivy C2"),
    "intrusion-set": sdo("intrusion-set", name="Bobcat Breakin"),
    "location": sdo("location", region="northern-america"),
    "malware": sdo("malware", is_family=False),
    "malware-analysis": sdo("malware-analysis", product="acme-sandbox", result="malicious"),
    "note": sdo("note", content="This indicator looks like a false positive.",
                object_refs=[INDICATOR_REF]),
    "observed-data": sdo("observed-data", first_observed=T_FIRST, last_observed=T_LAST,
                         number_observed=1, object_refs=[IPV4_REF]),
    "opinion": sdo("opinion", opinion="agree", object_refs=[INDICATOR_REF]),
    "report": sdo("report", name="The Black Vine Cyberespionage Group", published=T_LAST,
                  object_refs=[INDICATOR_REF]),
    "threat-actor": sdo("threat-actor", name="Evil Org"),
    "tool": sdo("tool", name="VNC"),
    "vulnerability": sdo("vulnerability", name="CVE-2021-44228"),
    "relationship": sdo("relationship", relationship_type="indicates",
                        source_ref=INDICATOR_REF, target_ref=MALWARE_REF),
    "sighting": sdo("sighting", sighting_of_ref=INDICATOR_REF),
    "language-content": sdo("language-content", object_ref=CAMPAIGN_REF,
                            contents={"de": {"name": "Bank Angriff"}}),
    "extension-definition": sdo("extension-definition", created_by_ref=IDENTITY_REF,
                                name="ACME scoring", schema="https://acme.example.com/stix/scoring/v1/schema.json",
                                version="1.0.0", extension_types=["property-extension"]),
}

SDO_TYPES = ["attack-pattern", "campaign", "course-of-action", "grouping", "identity",
             "incident", "indicator", "infrastructure", "intrusion-set", "location",
             "malware", "malware-analysis", "note", "observed-data", "opinion", "report",
             "threat-actor", "tool", "vulnerability"]
SRO_TYPES = ["relationship", "sighting"]

# Type-specific required properties (besides type/spec_version/id/created/modified).
SPECIFIC_REQUIRED = {
    "attack-pattern": ["name"],
    "campaign": ["name"],
    "course-of-action": ["name"],
    "grouping": ["context", "object_refs"],
    "identity": ["name"],
    "incident": ["name"],
    "indicator": ["pattern", "pattern_type", "valid_from"],
    "infrastructure": ["name"],
    "intrusion-set": ["name"],
    "location": [],            # region / country / latitude+longitude: tested separately
    "malware": ["is_family"],
    "malware-analysis": ["product"],
    "note": ["content", "object_refs"],
    "observed-data": ["first_observed", "last_observed", "number_observed"],
    "opinion": ["opinion", "object_refs"],
    "report": ["name", "published", "object_refs"],
    "threat-actor": ["name"],
    "tool": ["name"],
    "vulnerability": ["name"],
    "relationship": ["relationship_type", "source_ref", "target_ref"],
    "sighting": ["sighting_of_ref"],
    "language-content": ["object_ref", "contents"],
    "extension-definition": ["created_by_ref", "name", "schema", "version", "extension_types"],
}

# Minimal valid SCOs.
SCO_MINIMAL = {
    "artifact": sco("artifact", payload_bin="VGhpcyBpcyBhIHRlc3Q="),
    "autonomous-system": sco("autonomous-system", number=64512),
    "directory": sco("directory", path="C:\\Windows\\System32"),
    "domain-name": sco("domain-name", value="example.com"),
    "email-addr": sco("email-addr", value="john@example.com"),
    "email-message": sco("email-message", is_multipart=False, subject="Saying Hello"),
    "file": sco("file", name="foo.dll"),
    "ipv4-addr": sco("ipv4-addr", value="198.51.100.3"),
    "ipv6-addr": sco("ipv6-addr", value="2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    "mac-addr": sco("mac-addr", value="d2:fb:49:24:37:18"),
    "mutex": sco("mutex", name="__CLEANSWEEP__"),
    "network-traffic": sco("network-traffic", src_ref=IPV4_REF, protocols=["tcp"]),
    "process": sco("process", pid=1221),
    "software": sco("software", name="Word"),
    "url": sco("url", value="https://example.com/research/index.html"),
    "user-account": sco("user-account", user_id="1001"),
    "windows-registry-key": sco("windows-registry-key", key="HKEY_LOCAL_MACHINE\\System\\Foo\\Bar"),
    "x509-certificate": sco("x509-certificate", serial_number="36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06"),
}
SCO_REQUIRED = {
    "artifact": [],
    "autonomous-system": ["number"],
    "directory": ["path"],
    "domain-name": ["value"],
    "email-addr": ["value"],
    "email-message": ["is_multipart"],
    "file": [],
    "ipv4-addr": ["value"],
    "ipv6-addr": ["value"],
    "mac-addr": ["value"],
    "mutex": ["name"],
    "network-traffic": ["protocols"],
    "process": [],
    "software": ["name"],
    "url": ["value"],
    "user-account": [],
    "windows-registry-key": [],
    "x509-certificate": [],
}

# --------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------

CASES = []          # (name, bundle-or-raw-text, expect, note)
_NAMES = set()


def _fresh_id(name, obj):
    """Give the object of every case its own identifier, so that no two files
    of the corpus hold different content under one id.  The type is taken
    from the id prefix, so cases that break the type property keep a
    well-formed id."""
    oid = obj.get("id")
    if not isinstance(oid, str) or "--" not in oid:
        return
    prefix = oid.split("--")[0]
    if prefix == "marking-definition":
        return
    if prefix in SCO_MINIMAL:
        probe = dict(obj)
        probe["type"] = prefix
        obj["id"] = sco_id(probe, None if name.startswith("valid-") else name)
    else:
        obj["id"] = sid(prefix, "case:" + name)


def case(name, obj, note="", keep_id=False):
    assert name not in _NAMES, name
    assert name.startswith("valid-") or name.startswith("invalid-"), name
    _NAMES.add(name)
    obj = copy.deepcopy(obj)
    if not keep_id:
        _fresh_id(name, obj)
    bundle = {"type": "bundle", "id": sid("bundle", "bundle:" + name), "objects": [obj]}
    CASES.append((name, bundle, "valid" if name.startswith("valid-") else "invalid", note))


def raw_case(name, text, note=""):
    """A case whose file text is written verbatim (e.g. duplicate JSON keys)."""
    assert name not in _NAMES, name
    _NAMES.add(name)
    CASES.append((name, text, "valid" if name.startswith("valid-") else "invalid", note))


def drop(obj, *keys):
    obj = copy.deepcopy(obj)
    for k in keys:
        obj.pop(k, None)
    return obj


def put(obj, **kv):
    obj = copy.deepcopy(obj)
    obj.update(kv)
    return obj


def setp(obj, key, value):
    """put() for property names that are not Python identifiers."""
    obj = copy.deepcopy(obj)
    obj[key] = value
    return obj


# --------------------------------------------------------------------------
# VALID cases
# --------------------------------------------------------------------------

def rich_common(selector):
    return {
        "created_by_ref": IDENTITY_REF,
        "revoked": False,
        "labels": ["finance", "q1-2023"],
        "confidence": 85,
        "lang": "en",
        "external_references": copy.deepcopy(EXT_REFS),
        "object_marking_refs": [TLP_GREEN_REF],
        "granular_markings": [{"marking_ref": STATEMENT_MARKING_REF, "selectors": [selector]}],
        "extensions": {EXTDEF_REF: {"extension_type": "property-extension", "rank": 5,
                                    "toxicity": 8}},
        "x_acme_org_risk_score": 42,
    }


RICH = {
    "attack-pattern": dict(name="Spearphishing Attachment", description="Phishing with a malicious attachment.",
                           aliases=["T1566.001"], kill_chain_phases=KILL_CHAIN),
    "campaign": dict(name="Green Group Attacks Against Finance", description="Campaign by Green Group.",
                     aliases=["Greenhouse"], first_seen=T_FIRST, last_seen=T_LAST,
                     objective="Steal credit card numbers"),
    "course-of-action": dict(name="Add TCP port 80 Filter Rule",
                             description="Filter TCP port 80 at the perimeter."),
    "grouping": dict(name="The Black Vine Cyberespionage Group", description="Unconfirmed cluster.",
                     context="suspicious-activity",
                     object_refs=[INDICATOR_REF, MALWARE_REF, IPV4_REF, RELATIONSHIP_REF]),
    "identity": dict(name="John Smith", description="Analyst", roles=["analyst"],
                     identity_class="individual", sectors=["financial-services"],
                     contact_information="john.smith@example.com"),
    "incident": dict(name="Payroll breach", description="Intrusion into the payroll system."),
    "indicator": dict(name="Malicious site hosting downloader", description="C2 address",
                      indicator_types=["malicious-activity"],
                      pattern="[url:value = 'http://x4z9arb.cn/4712/']", pattern_type="stix",
                      pattern_version="2.1", valid_from=T_FIRST, valid_until="2024-01-01T00:00:00Z",
                      kill_chain_phases=KILL_CHAIN),
    "infrastructure": dict(name="Poison Ivy C2", description="C2 servers", infrastructure_types=["command-and-control"],
                           aliases=["PIVY C2"], kill_chain_phases=KILL_CHAIN,
                           first_seen=T_FIRST, last_seen=T_LAST),
    "intrusion-set": dict(name="Bobcat Breakin", description="Incidents of cyber theft",
                          aliases=["Zookeeper"], first_seen=T_FIRST, last_seen=T_LAST,
                          goals=["acquisition-theft"], resource_level="government",
                          primary_motivation="organizational-gain",
                          secondary_motivations=["personal-gain"]),
    "location": dict(name="ACME HQ", description="Headquarters", latitude=48.8566, longitude=2.3522,
                     precision=1000.0, region="western-europe", country="FR",
                     administrative_area="Ile-de-France", city="Paris",
                     street_address="1 Rue de Rivoli", postal_code="75001"),
    "malware": dict(name="Cryptolocker", description="A variant of Cryptolocker", is_family=True,
                    malware_types=["ransomware"], aliases=["CryptoLockerV2"],
                    kill_chain_phases=KILL_CHAIN, first_seen=T_FIRST, last_seen=T_LAST,
                    operating_system_refs=[SOFTWARE_REF], architecture_execution_envs=["x86"],
                    implementation_languages=["c"], capabilities=["exfiltrates-data"],
                    sample_refs=[FILE_REF, ARTIFACT_REF]),
    "malware-analysis": dict(product="acme-sandbox", version="2.3", host_vm_ref=SOFTWARE_REF2,
                             operating_system_ref=SOFTWARE_REF, installed_software_refs=[SOFTWARE_REF2],
                             configuration_version="7", modules=["pe-parser"],
                             analysis_engine_version="5.1.0", analysis_definition_version="2023-03-01",
                             submitted=T_FIRST, analysis_started="2023-01-05T08:10:00Z",
                             analysis_ended="2023-01-05T08:20:00Z", result_name="Trojan.Generic",
                             result="malicious", analysis_sco_refs=[FILE_REF, DOMAIN_REF],
                             sample_ref=FILE_REF),
    "note": dict(abstract="Tracking Team Note#1", content="This note indicates the various steps taken.",
                 authors=["John Doe"], object_refs=[CAMPAIGN_REF, INDICATOR_REF]),
    "observed-data": dict(first_observed=T_FIRST, last_observed=T_LAST, number_observed=50,
                          object_refs=[IPV4_REF, DOMAIN_REF, RELATIONSHIP_REF]),
    "opinion": dict(explanation="This doesn't seem like it is feasible.", authors=["Ibn Battuta"],
                    opinion="strongly-disagree", object_refs=[RELATIONSHIP_REF]),
    "report": dict(name="The Black Vine Cyberespionage Group", description="A simple report.",
                   report_types=["campaign"], published=T_LAST,
                   object_refs=[INDICATOR_REF, CAMPAIGN_REF, RELATIONSHIP_REF]),
    "threat-actor": dict(name="Evil Org", description="The Evil Org threat actor group",
                         threat_actor_types=["crime-syndicate"], aliases=["Syndicate 1"],
                         first_seen=T_FIRST, last_seen=T_LAST, roles=["director"],
                         goals=["Steal bank money"], sophistication="advanced",
                         resource_level="organization", primary_motivation="personal-gain",
                         secondary_motivations=["dominance"], personal_motivations=["revenge"]),
    "tool": dict(name="VNC", description="Remote desktop", tool_types=["remote-access"],
                 aliases=["RealVNC"], kill_chain_phases=KILL_CHAIN, tool_version="6.11"),
    "vulnerability": dict(name="CVE-2021-44228", description="Log4Shell",
                          external_references=[{"source_name": "cve", "external_id": "CVE-2021-44228"}]),
    "relationship": dict(relationship_type="indicates", description="Indicator for the malware",
                         source_ref=INDICATOR_REF, target_ref=MALWARE_REF,
                         start_time=T_FIRST, stop_time=T_LAST),
    "sighting": dict(description="Seen at the victim", first_seen=T_FIRST, last_seen=T_LAST, count=50,
                     sighting_of_ref=INDICATOR_REF, observed_data_refs=[OBSERVED_DATA_REF],
                     where_sighted_refs=[IDENTITY_REF2, LOCATION_REF], summary=False),
}
SELECTOR = {"observed-data": "number_observed", "opinion": "explanation", "note": "content",
            "malware-analysis": "product"}

for t in SDO_TYPES + SRO_TYPES:
    case("valid-%s-minimal" % t, MINIMAL[t], "only the required properties")
    rich = sdo(t, **RICH[t])
    common = rich_common(SELECTOR.get(t, "description"))
    if t == "vulnerability":
        common.pop("external_references")
    rich.update(common)
    case("valid-%s-rich" % t, rich, "all common optional properties, extension, custom property")

# -- more valid SDO/SRO shapes
case("valid-location-country-only", sdo("location", country="DE"), "country alone satisfies section 4.10")
case("valid-location-lat-long-only", sdo("location", latitude=-33.8688, longitude=151.2093),
     "latitude+longitude alone")
case("valid-location-lat-long-boundaries", sdo("location", latitude=-90, longitude=180), "range limits are inclusive")
case("valid-malware-family-with-name", sdo("malware", is_family=True, name="Emotet"), "is_family true needs name")
case("valid-malware-analysis-sco-refs-only", sdo("malware-analysis", product="acme-sandbox",
                                                  analysis_sco_refs=[FILE_REF]),
     "analysis_sco_refs instead of result")
case("valid-observed-data-deprecated-objects",
     sdo("observed-data", first_observed=T_FIRST, last_observed=T_FIRST, number_observed=1,
         objects={"0": {"type": "ipv4-addr", "value": "198.51.100.2"},
                  "1": {"type": "network-traffic", "dst_ref": "0", "protocols": ["tcp"]}}),
     "deprecated observable container is still valid (SHOULD NOT only)")
case("valid-observed-data-deprecated-objects-with-ids",
     sdo("observed-data", first_observed=T_FIRST, last_observed=T_FIRST, number_observed=1,
         objects={"0": {"type": "ipv4-addr", "id": IPV4_REF, "value": "198.51.100.3"}}),
     "deprecated observable container holding a 2.1 SCO")
case("valid-observed-data-max-number", sdo("observed-data", first_observed=T_FIRST, last_observed=T_LAST,
                                           number_observed=999999999, object_refs=[IPV4_REF]),
     "upper bound of number_observed")
case("valid-opinion-each-value", sdo("opinion", opinion="strongly-agree", object_refs=[INDICATOR_REF]),
     "enum value")
case("valid-indicator-pattern-type-snort",
     sdo("indicator", pattern="alert tcp any any -> 198.51.100.0/24 80 (msg:\"test\"; sid:1000001;)",
         pattern_type="snort", valid_from=T_FIRST),
     "non-STIX pattern languages are not parsed")
case("valid-indicator-valid-until-after-from",
     put(MINIMAL["indicator"], valid_until="2023-01-05T08:00:00.001Z"), "valid_until 1 ms after valid_from")
case("valid-identity-confidence-0", put(MINIMAL["identity"], confidence=0), "confidence lower bound")
case("valid-identity-confidence-100", put(MINIMAL["identity"], confidence=100), "confidence upper bound")
case("valid-identity-lang-fr", put(MINIMAL["identity"], lang="fr"), "RFC 5646 code")
case("valid-identity-lang-region", put(MINIMAL["identity"], lang="pt-BR"), "RFC 5646 code with region")
case("valid-identity-lang-es-419", put(MINIMAL["identity"], lang="es-419"),
     "RFC 5646 language + UN M.49 numeric region")
case("valid-identity-lang-script", put(MINIMAL["identity"], lang="zh-Hant-TW"),
     "RFC 5646 language-script-region")
case("valid-campaign-created-microseconds",
     put(MINIMAL["campaign"], created="2023-03-01T10:00:00.123456Z", modified="2023-03-01T10:00:00.123456Z"),
     "more than millisecond precision is allowed")
case("valid-campaign-modified-equals-created",
     put(MINIMAL["campaign"], modified=CREATED), "modified may equal created")
case("valid-campaign-modified-equal-created-other-precision",
     put(MINIMAL["campaign"], created="2023-03-01T10:00:00.999Z", modified="2023-03-01T10:00:00.9990Z"),
     "same instant written with 3 and 4 fractional digits")
case("valid-campaign-first-seen-equals-last-seen",
     put(MINIMAL["campaign"], first_seen=T_FIRST, last_seen=T_FIRST), "last_seen >= first_seen")
case("valid-campaign-leap-second",
     put(MINIMAL["campaign"], first_seen="2016-12-31T23:59:60Z", last_seen="2017-01-01T00:00:00Z"),
     "RFC 3339 allows the 2016-12-31 leap second")
case("valid-campaign-revoked", put(MINIMAL["campaign"], revoked=True), "revoked true")
case("valid-campaign-granular-lang-marking",
     put(MINIMAL["campaign"], lang="en", description="Weitere Informationen",
         granular_markings=[{"selectors": ["description"], "lang": "de"}]),
     "language granular marking (example from section 7.2.3)")
case("valid-campaign-granular-selector-list-index",
     put(MINIMAL["campaign"], aliases=["Alpha", "Beta"],
         granular_markings=[{"marking_ref": TLP["amber"][0], "selectors": ["aliases.[1]", "name"]}]),
     "list-index selector")
case("valid-campaign-granular-selector-nested",
     put(MINIMAL["campaign"], external_references=[{"source_name": "veris", "external_id": "0001AA7F"}],
         granular_markings=[{"marking_ref": TLP["amber"][0],
                             "selectors": ["external_references.[0].source_name"]}]),
     "nested selector")
case("valid-campaign-custom-property-no-x-prefix", setp(MINIMAL["campaign"], "acme_priority", "high"),
     "custom property names SHOULD (not MUST) start with x_")
case("valid-campaign-custom-property-3-chars", setp(MINIMAL["campaign"], "x_a", 1), "minimum length 3")
case("valid-campaign-custom-property-250-chars", setp(MINIMAL["campaign"], "x_" + "a" * 248, 1),
     "maximum length 250")
case("valid-campaign-custom-property-object", setp(MINIMAL["campaign"], "x_acme_scoring",
                                                   {"impact": "high", "probability": "low"}),
     "dictionary-valued custom property")
case("valid-campaign-custom-bin-hex", put(MINIMAL["campaign"], x_acme_blob_bin="aGVsbG8=",
                                          x_acme_flags_hex="00ff"),
     "custom _bin / _hex properties with conforming values")
case("valid-campaign-toplevel-property-extension",
     put(MINIMAL["campaign"], x_acme_region_code="emea",
         extensions={EXTDEF_TOPLEVEL_REF: {"extension_type": "toplevel-property-extension"}}),
     "top-level property extension")
case("valid-campaign-external-reference-url-only",
     put(MINIMAL["campaign"], external_references=[{"source_name": "ACME",
                                                   "url": "https://example.com/report",
                                                   "hashes": {"SHA-256": SHA256}}]),
     "source_name + url")
case("valid-campaign-external-reference-description-only",
     put(MINIMAL["campaign"], external_references=[{"source_name": "ACME Threat Intel",
                                                   "description": "Offline threat report"}]),
     "source_name + description")
case("valid-campaign-external-reference-capec-url",
     put(MINIMAL["campaign"], external_references=[{"source_name": "capec",
                                                   "url": "http://capec.mitre.org/data/definitions/550.html"}]),
     "source_name capec with a url and no external_id (section 2.5.2 needs only one of the three)")
case("valid-relationship-custom-type", put(MINIMAL["relationship"], relationship_type="delivered-by"),
     "user-defined relationship_type")
case("valid-relationship-sco-source", put(MINIMAL["relationship"], relationship_type="related-to",
                                          source_ref=IPV4_REF), "SCOs may be relationship endpoints")
case("valid-relationship-sco-to-sco", put(MINIMAL["relationship"], relationship_type="resolves-to",
                                          source_ref=DOMAIN_REF, target_ref=IPV4_REF), "SCO to SCO")
case("valid-sighting-count-zero", put(MINIMAL["sighting"], count=0), "count lower bound")
case("valid-sighting-count-max", put(MINIMAL["sighting"], count=999999999), "count upper bound")
case("valid-sighting-where-sighted-location", put(MINIMAL["sighting"], where_sighted_refs=[LOCATION_REF]),
     "location in where_sighted_refs")
case("valid-grouping-context-custom", put(MINIMAL["grouping"], context="acme-review-queue"),
     "open vocabulary value")
case("valid-report-object-refs-mixed", put(MINIMAL["report"], object_refs=[INDICATOR_REF, IPV4_REF,
                                                                           RELATIONSHIP_REF, LANGUAGE_CONTENT_REF]),
     "report may reference any STIX object")
case("valid-indicator-custom-indicator-type", put(MINIMAL["indicator"], indicator_types=["acme-custom-type"]),
     "open vocabulary value")
case("valid-note-refs-to-relationship", put(MINIMAL["note"], object_refs=[RELATIONSHIP_REF, SIGHTING_REF]),
     "notes may annotate SROs")

# -- meta objects
case("valid-marking-definition-statement",
     {"type": "marking-definition", "spec_version": "2.1", "id": STATEMENT_MARKING_REF, "created": CREATED,
      "definition_type": "statement", "definition": {"statement": "Copyright 2023, Example Corp"}},
     "statement marking", keep_id=True)
case("valid-marking-definition-statement-rich",
     {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", "statement-rich"),
      "created": CREATED, "created_by_ref": IDENTITY_REF, "name": "ACME terms of use",
      "external_references": [{"source_name": "ACME", "url": "https://example.com/terms",
                               "hashes": {"SHA-256": SHA256}}],
      "object_marking_refs": [TLP_GREEN_REF],
      "granular_markings": [{"marking_ref": TLP["amber"][0], "selectors": ["name"]}],
      "definition_type": "statement", "definition": {"statement": "Terms of use apply"}},
     "statement marking with optional properties", keep_id=True)
for level, (mid, mname) in sorted(TLP.items()):
    case("valid-marking-definition-tlp-%s" % level,
         {"type": "marking-definition", "spec_version": "2.1", "id": mid,
          "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": mname,
          "definition": {"tlp": level}},
         "the standard TLP marking object", keep_id=True)
case("valid-marking-definition-extension",
     {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", "ext-marking"),
      "created": CREATED, "created_by_ref": IDENTITY_REF, "name": "ACME sharing level",
      "extensions": {EXTDEF_REF: {"extension_type": "property-extension", "level": "restricted"}}},
     "2.1 extension-based marking without definition/definition_type", keep_id=True)
case("valid-marking-definition-custom-definition-type",
     {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", "custom-type"),
      "created": CREATED, "definition_type": "acme-sharing", "definition": {"level": "restricted"}},
     "definition_type is an open vocabulary", keep_id=True)
case("valid-language-content-rich",
     sdo("language-content", created_by_ref=IDENTITY_REF, object_ref=CAMPAIGN_REF,
         object_modified="2017-02-08T21:31:22.007Z", labels=["translation"],
         external_references=[{"source_name": "ACME", "external_id": "TR-1"}],
         object_marking_refs=[TLP_GREEN_REF],
         contents={"de": {"name": "Bank Angriff", "description": "Weitere Informationen"},
                   "fr": {"name": "Attaque Bank", "aliases": ["", "Banque"]}}),
     "translations with a list containing an untranslated item")
case("valid-language-content-refs-relationship",
     put(MINIMAL["language-content"], object_ref=RELATIONSHIP_REF, contents={"fr": {"description": "lie a"}}),
     "language content may target an SRO")
case("valid-extension-definition-toplevel",
     sdo("extension-definition", created_by_ref=IDENTITY_REF, name="ACME region code",
         description="Adds x_acme_region_code at the top level", schema="Plain text: a region code string",
         version="2.0.1", extension_types=["toplevel-property-extension"],
         extension_properties=["x_acme_region_code"]),
     "top-level property extension definition")
case("valid-extension-definition-rich",
     sdo("extension-definition", created_by_ref=IDENTITY_REF, name="ACME hybrid",
         description="New SDO, new SCO and property extension", schema="https://acme.example.com/schema.json",
         version="1.2.1", extension_types=["new-sdo", "new-sco", "property-extension"],
         labels=["acme"], revoked=False, external_references=[{"source_name": "ACME", "external_id": "EXT-9"}],
         object_marking_refs=[TLP_GREEN_REF]),
     "hybrid extension definition")
case("valid-x-acme-widget-new-sdo",
     {"type": "x-acme-widget", "spec_version": "2.1", "id": sid("x-acme-widget", "widget"),
      "created": CREATED, "modified": MODIFIED, "name": "Widget", "widget_size": 3,
      "extensions": {EXTDEF_REF: {"extension_type": "new-sdo"}}},
     "new SDO type defined through an extension definition")
case("valid-acme-gadget-custom-object",
     {"type": "acme-gadget", "spec_version": "2.1", "id": sid("acme-gadget", "gadget"),
      "created": CREATED, "modified": MODIFIED, "gadget_name": "Gadget"},
     "deprecated custom object without x- prefix (SHOULD only)")

# -- SCO valid cases
for t in sorted(SCO_MINIMAL):
    case("valid-%s-minimal" % t, SCO_MINIMAL[t], "only the required properties")

SCO_RICH = {
    "artifact": dict(mime_type="application/zip", payload_bin="UEsDBBQAAAAIAFd3WVc=",
                     hashes={"SHA-256": SHA256}, encryption_algorithm="mime-type-indicated",
                     decryption_key="My voice is my passport"),
    "autonomous-system": dict(number=15139, name="Slime Industries", rir="ARIN"),
    "directory": dict(path="C:\\Users\\jdoe\\AppData", path_enc="windows-1252", ctime=T_FIRST,
                      mtime=T_LAST, atime=T_LAST, contains_refs=[FILE_REF, DIRECTORY_REF]),
    "domain-name": dict(value="www.example.com", resolves_to_refs=[IPV4_REF, IPV6_REF, DOMAIN_REF]),
    "email-addr": dict(value="jdoe@example.com", display_name="John Doe", belongs_to_ref=USER_ACCOUNT_REF),
    "email-message": dict(is_multipart=True, date="1997-11-21T15:55:06Z", content_type="multipart/mixed",
                          from_ref=EMAIL_ADDR_REF, sender_ref=EMAIL_ADDR_REF, to_refs=[EMAIL_ADDR_REF2],
                          cc_refs=[EMAIL_ADDR_REF2], subject="Check out this picture!",
                          message_id="<20231201.1234@example.com>",
                          received_lines=["from mail.example.com ([198.51.100.3]) by smtp.gmail.com"],
                          additional_header_fields={"X-Mailer": "Mutt/1.5.23", "Reply-To": "jdoe@example.com"},
                          body_multipart=[{"content_type": "text/plain; charset=utf-8",
                                           "content_disposition": "inline", "body": "Cats are funny!"},
                                          {"content_type": "image/png",
                                           "content_disposition": "attachment; filename=\"tabby.png\"",
                                           "body_raw_ref": ARTIFACT_REF}],
                          raw_email_ref=ARTIFACT_REF),
    "file": dict(hashes={"SHA-256": SHA256, "MD5": MD5, "SHA-1": SHA1}, size=25536, name="foo.dll",
                 name_enc="UTF-8", magic_number_hex="4d5a", mime_type="application/vnd.microsoft.portable-executable",
                 ctime=T_FIRST, mtime=T_LAST, atime=T_LAST, parent_directory_ref=DIRECTORY_REF,
                 contains_refs=[FILE_REF2], content_ref=ARTIFACT_REF,
                 extensions={"windows-pebinary-ext": {"pe_type": "dll", "machine_hex": "014c",
                                                      "number_of_sections": 4,
                                                      "time_date_stamp": "2016-01-22T12:31:12Z",
                                                      "characteristics_hex": "818f",
                                                      "sections": [{"name": ".text", "size": 1024,
                                                                    "entropy": 6.2}]},
                             "ntfs-ext": {"sid": "1", "alternate_data_streams": [
                                 {"name": "second.stream", "size": 25536}]}}),
    "ipv4-addr": dict(value="198.51.100.0/24", resolves_to_refs=[MAC_REF], belongs_to_refs=[AS_REF]),
    "ipv6-addr": dict(value="2001:db8::/96", resolves_to_refs=[MAC_REF], belongs_to_refs=[AS_REF]),
    "mac-addr": dict(value="00:00:5e:00:53:af"),
    "mutex": dict(name="Global\\MsWinZonesCacheCounterMutexA"),
    "network-traffic": dict(start=T_FIRST, end=T_LAST, is_active=False, src_ref=IPV4_REF, dst_ref=IPV4_REF2,
                            src_port=24678, dst_port=80, protocols=["ipv4", "tcp", "http"],
                            src_byte_count=147600, dst_byte_count=147600, src_packets=100, dst_packets=100,
                            ipfix={"minimumIpTotalLength": 32, "maximumIpTotalLength": 2556},
                            extensions={"http-request-ext": {"request_method": "get",
                                                             "request_value": "/download.html",
                                                             "request_version": "http/1.1",
                                                             "request_header": {"Accept-Encoding": ["gzip,deflate"],
                                                                                "Host": ["www.example.com"]}}}),
    "process": dict(is_hidden=False, pid=1221, created_time=T_FIRST, cwd="/tmp/",
                    command_line="./gedit-bin --new-window",
                    environment_variables={"HOME": "/home/jdoe"},
                    opened_connection_refs=[NETWORK_TRAFFIC_REF], creator_user_ref=USER_ACCOUNT_REF,
                    image_ref=FILE_REF, parent_ref=PROCESS_REF,
                    extensions={"windows-process-ext": {"aslr_enabled": True, "dep_enabled": True,
                                                        "priority": "HIGH_PRIORITY_CLASS",
                                                        "owner_sid": "S-1-5-21-186985262-1144665072-74031268-1309",
                                                        "integrity_level": "high"}}),
    "software": dict(name="Word", cpe="cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*", swid="com.acme.rms-ce-v4-1-5-0",
                     languages=["eng", "fre"], vendor="Microsoft", version="2002"),
    "url": dict(value="https://example.com/research/index.html?q=stix#top"),
    "user-account": dict(user_id="1001", credential="password", account_login="jdoe", account_type="unix",
                         display_name="John Doe", is_service_account=False, is_privileged=False,
                         can_escalate_privs=True, is_disabled=False, account_created=T_FIRST,
                         account_expires="2030-01-01T00:00:00Z", credential_last_changed=T_FIRST,
                         account_first_login=T_FIRST, account_last_login=T_LAST,
                         extensions={"unix-account-ext": {"gid": 1001, "groups": ["wheel"],
                                                          "home_dir": "/home/jdoe", "shell": "/bin/bash"}}),
    "windows-registry-key": dict(key="HKEY_LOCAL_MACHINE\\System\\Foo\\Bar",
                                 values=[{"name": "Foo", "data": "qwerty", "data_type": "REG_SZ"},
                                         {"name": "Bar", "data": "42", "data_type": "REG_DWORD"}],
                                 modified_time=T_LAST, creator_user_ref=USER_ACCOUNT_REF, number_of_subkeys=2),
    "x509-certificate": dict(is_self_signed=False, hashes={"SHA-256": SHA256}, version="3",
                             serial_number="36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06",
                             signature_algorithm="md5WithRSAEncryption",
                             issuer="C=ZA, ST=Western Cape, L=Cape Town, O=Thawte Consulting cc",
                             validity_not_before="2016-03-12T12:00:00Z", validity_not_after="2016-08-21T12:00:00Z",
                             subject="C=US, ST=Maryland, L=Pasadena, O=Brent Baccala, OU=FreeSoft",
                             subject_public_key_algorithm="rsaEncryption",
                             subject_public_key_modulus="cc:2a:8b:c4", subject_public_key_exponent=65537,
                             x509_v3_extensions={"basic_constraints": "critical,CA:TRUE, pathlen:0",
                                                 "key_usage": "digitalSignature",
                                                 "private_key_usage_period_not_before": "2016-03-12T12:00:00Z"}),
}
for t in sorted(SCO_RICH):
    obj = sco(t, **SCO_RICH[t])
    obj["object_marking_refs"] = [TLP_GREEN_REF]
    obj["defanged"] = False
    obj["x_acme_org_seen_count"] = 3
    case("valid-%s-rich" % t, obj, "optional SCO properties, markings, defanged, custom property")

case("valid-artifact-url-with-hashes", sco("artifact", url="https://example.com/sample.zip",
                                           hashes={"SHA-256": SHA256}, mime_type="application/zip"),
     "url requires hashes")
case("valid-artifact-mime-type-unregistered",
     sco("artifact", payload_bin="QUNNRSBzYW1wbGU=", mime_type="application/x-acme-sample"),
     "mime_type SHOULD (not MUST) come from the IANA registry (section 6.1)")
case("valid-file-hashes-only", sco("file", hashes={"SHA-256": SHA256}), "hashes without name")
case("valid-file-custom-hash-key", sco("file", name="x.bin", hashes={"SHA-256": SHA256,
                                                                      "x_acme_fuzzy": "aaaabbbbccccdddd"}),
     "hash-algorithm-ov is open; a custom key is allowed")
case("valid-file-all-standard-hashes",
     sco("file", name="all.bin", hashes={"MD5": MD5, "SHA-1": SHA1, "SHA-256": SHA256, "SHA-512": SHA512,
                                         "SHA3-256": SHA256, "SHA3-512": SHA512,
                                         "SSDEEP": "96:abcdefghijklmnop:qrstuvwxyz"}),
     "every hash-algorithm-ov algorithm with a well-formed value")
case("valid-file-archive-ext", sco("file", name="a.zip", extensions={"archive-ext": {
    "contains_refs": [FILE_REF, FILE_REF2], "comment": "sample archive"}}), "archive extension")
case("valid-file-pdf-ext", sco("file", name="a.pdf", extensions={"pdf-ext": {
    "version": "1.7", "is_optimized": False,
    "document_info_dict": {"Title": "Sample", "Author": "Adobe Systems Incorporated"},
    "pdfid0": "DFCE52BD827ECF765649852119D", "pdfid1": "57A1E0F9ED2AE523E313C"}}), "pdf extension")
case("valid-file-raster-image-ext", sco("file", name="a.jpg", extensions={"raster-image-ext": {
    "image_height": 768, "image_width": 1024, "bits_per_pixel": 72,
    "exif_tags": {"Make": "Nikon", "Model": "D7000", "XResolution": 4928}}}), "raster image extension")
case("valid-file-custom-sco-extension", sco("file", name="b.bin", extensions={"x-acme-scan-ext": {
    "scanner": "acme", "verdict": "clean"}}), "deprecated custom SCO extension ending in -ext")
case("valid-ipv4-addr-cidr", sco("ipv4-addr", value="10.2.4.5/24"), "CIDR notation")
case("valid-ipv6-addr-compressed", sco("ipv6-addr", value="2001:db8::1"), "compressed notation")
case("valid-ipv6-addr-ipv4-mapped", sco("ipv6-addr", value="::ffff:192.0.2.128"),
     "IPv4-mapped IPv6 address (RFC 4291 section 2.5.5.2)")
case("valid-network-traffic-dst-only", sco("network-traffic", dst_ref=IPV4_REF2, protocols=["udp", "dns"]),
     "dst_ref alone satisfies section 6.12")
case("valid-network-traffic-active", sco("network-traffic", src_ref=IPV4_REF, start=T_FIRST, is_active=True,
                                         protocols=["tcp"]), "is_active without end")
case("valid-network-traffic-icmp-ext", sco("network-traffic", src_ref=IPV4_REF, protocols=["icmp"],
                                           extensions={"icmp-ext": {"icmp_type_hex": "08", "icmp_code_hex": "00"}}),
     "icmp extension")
case("valid-network-traffic-socket-ext", sco("network-traffic", src_ref=IPV4_REF, protocols=["tcp"],
                                             extensions={"socket-ext": {"address_family": "AF_INET",
                                                                        "is_listening": True,
                                                                        "socket_type": "SOCK_STREAM"}}),
     "socket extension")
case("valid-network-traffic-tcp-ext", sco("network-traffic", src_ref=IPV4_REF, protocols=["tcp"],
                                          extensions={"tcp-ext": {"src_flags_hex": "00000002"}}),
     "tcp extension")
case("valid-process-windows-service-ext", sco("process", pid=314, extensions={"windows-service-ext": {
    "service_name": "sirvizio", "display_name": "Sirvizio", "start_type": "SERVICE_AUTO_START",
    "service_type": "SERVICE_WIN32_OWN_PROCESS", "service_status": "SERVICE_RUNNING",
    "service_dll_refs": [FILE_REF]}}), "windows service extension")
case("valid-email-message-plain", sco("email-message", is_multipart=False, from_ref=EMAIL_ADDR_REF,
                                      to_refs=[EMAIL_ADDR_REF2], subject="Hi", body="Hello there",
                                      date="2023-01-05T08:00:00Z"), "non-multipart message with body")
case("valid-user-account-windows-domain", sco("user-account", user_id="S-1-5-21-1", account_login="ACME\\jdoe",
                                              account_type="windows-domain"), "another account type")
case("valid-windows-registry-key-values-only", sco("windows-registry-key", values=[
    {"name": "", "data": "default", "data_type": "REG_SZ"}]), "key omitted, values present")
case("valid-windows-registry-key-hku-substring",
     sco("windows-registry-key", key="HKEY_LOCAL_MACHINE\\Software\\Acme\\hkupdate"),
     "full hive name; 'hku' occurs only inside a sub-key name")
case("valid-software-cpe-only-name", sco("software", name="Acme Agent", vendor="Acme", version="1.0"),
     "software without cpe")
case("valid-url-with-port-and-userinfo", sco("url", value="ftp://user@files.example.com:2121/pub/a.txt"),
     "RFC 3986 URL with userinfo and port")
case("valid-domain-name-idn", sco("domain-name", value="xn--bcher-kva.example"), "punycode label")
case("valid-x509-certificate-v3-only", sco("x509-certificate", x509_v3_extensions={
    "subject_alternative_name": "DNS:example.com"}), "only the v3 extensions dictionary")
case("valid-autonomous-system-zero-rir", sco("autonomous-system", number=0, rir="RIPE NCC"), "AS number 0")
case("valid-directory-unix-path", sco("directory", path="/var/tmp/.hidden"), "unix path")
case("valid-mutex-unicode", sco("mutex", name="Mutex\u00e9\u00e8"), "non-ASCII string value")
case("valid-ipv4-addr-defanged", put(sco("ipv4-addr", value="198.51.100.77"), defanged=True),
     "defanged is allowed on SCOs")
case("valid-ipv4-addr-no-spec-version", drop(sco("ipv4-addr", value="198.51.100.78"), "spec_version"),
     "spec_version is optional on SCOs (defaults to 2.1)")
case("valid-ipv4-addr-granular-marking", put(sco("ipv4-addr", value="198.51.100.79"),
                                             granular_markings=[{"marking_ref": TLP["red"][0],
                                                                 "selectors": ["value"]}]),
     "granular marking on an SCO")
case("valid-x-acme-sensor-new-sco",
     {"type": "x-acme-sensor", "spec_version": "2.1", "id": "x-acme-sensor--" + u4("sensor"),
      "sensor_name": "edge-01", "extensions": {EXTDEF_REF: {"extension_type": "new-sco"}}},
     "new SCO type defined through an extension definition")

# --------------------------------------------------------------------------
# INVALID cases
# --------------------------------------------------------------------------

# 1. Missing required properties -------------------------------------------
for t in SDO_TYPES + SRO_TYPES + ["language-content", "extension-definition"]:
    base = MINIMAL[t]
    for prop in ["spec_version", "id", "created", "modified"] + SPECIFIC_REQUIRED[t]:
        case("invalid-%s-missing-%s" % (t, prop), drop(base, prop),
             "required property %s is absent" % prop)
for t in ["identity", "relationship", "ipv4-addr"]:
    base = MINIMAL.get(t) or SCO_MINIMAL[t]
    case("invalid-%s-missing-type" % t, drop(base, "type"), "required property type is absent")

for t in sorted(SCO_MINIMAL):
    base = SCO_MINIMAL[t]
    for prop in ["id"] + SCO_REQUIRED[t]:
        case("invalid-%s-missing-%s" % (t, prop), drop(base, prop), "required property %s is absent" % prop)

case("invalid-malware-family-without-name", sdo("malware", is_family=True),
     "name is required when is_family is true (section 4.11)")
case("invalid-location-no-region-country-or-coordinates", sdo("location", name="Somewhere", city="Paris"),
     "one of region, country, latitude+longitude is required (section 4.10)")
case("invalid-malware-analysis-no-result-no-sco-refs", sdo("malware-analysis", product="acme-sandbox"),
     "result or analysis_sco_refs is required (section 4.12)")
case("invalid-observed-data-neither-objects-nor-refs",
     drop(MINIMAL["observed-data"], "object_refs"), "one of objects / object_refs is required")
case("invalid-artifact-neither-payload-nor-url", sco("artifact", mime_type="application/zip"),
     "one of payload_bin / url is required (section 6.1)")
case("invalid-file-neither-hashes-nor-name", sco("file", size=1024), "file needs hashes or name (section 6.7)")
case("invalid-network-traffic-no-src-no-dst", sco("network-traffic", protocols=["tcp"], src_port=80),
     "src_ref or dst_ref is required (section 6.12)")
case("invalid-process-only-type-and-id", {"type": "process", "spec_version": "2.1",
                                          "id": "process--" + u4("bare-process")},
     "a process MUST contain at least one property besides type (section 6.13)", keep_id=True)
case("invalid-x509-certificate-only-type-and-id",
     {"type": "x509-certificate", "spec_version": "2.1", "id": "x509-certificate--" + u4("bare-x509")},
     "an X.509 certificate MUST contain at least one object specific property (section 6.18)", keep_id=True)
case("invalid-user-account-only-type-and-id",
     {"type": "user-account", "spec_version": "2.1", "id": "user-account--" + u4("bare-user")},
     "user account without any property", keep_id=True)
case("invalid-windows-registry-key-only-type-and-id",
     {"type": "windows-registry-key", "spec_version": "2.1", "id": "windows-registry-key--" + u4("bare-key")},
     "registry key without any property", keep_id=True)

# 2. Wrong property types ----------------------------------------------------
WRONG_TYPES = [
    ("identity", "name", 42, "name-number"),
    ("identity", "name", ["ACME"], "name-list"),
    ("identity", "description", {"text": "x"}, "description-object"),
    ("identity", "roles", "analyst", "roles-string"),
    ("identity", "sectors", [], "sectors-empty-list"),
    ("identity", "labels", "finance", "labels-string"),
    ("identity", "labels", [], "labels-empty-list"),
    ("identity", "labels", ["ok", 7], "labels-number-item"),
    ("identity", "revoked", "false", "revoked-string"),
    ("identity", "created_by_ref", "ACME Corp", "created-by-ref-not-identifier"),
    ("identity", "object_marking_refs", TLP_GREEN_REF, "object-marking-refs-string"),
    ("identity", "object_marking_refs", [], "object-marking-refs-empty"),
    ("identity", "external_references", {"source_name": "x", "external_id": "1"}, "external-references-object"),
    ("identity", "external_references", [], "external-references-empty"),
    ("identity", "granular_markings", [], "granular-markings-empty"),
    ("identity", "extensions", {}, "extensions-empty"),
    ("identity", "spec_version", 2.1, "spec-version-number"),
    ("identity", "spec_version", "2.2", "spec-version-2.2"),
    ("identity", "spec_version", "2.1.0", "spec-version-2.1.0"),
    ("identity", "type", "Identity", "type-uppercase"),
    ("campaign", "aliases", "Greenhouse", "aliases-string"),
    ("campaign", "aliases", [], "aliases-empty"),
    ("campaign", "first_seen", 1672905600, "first-seen-number"),
    ("campaign", "objective", ["steal"], "objective-list"),
    ("attack-pattern", "kill_chain_phases", "delivery", "kill-chain-phases-string"),
    ("attack-pattern", "kill_chain_phases", [], "kill-chain-phases-empty"),
    ("attack-pattern", "kill_chain_phases", {"kill_chain_name": "lm", "phase_name": "delivery"},
     "kill-chain-phases-object"),
    ("indicator", "pattern", ["[ipv4-addr:value = '198.51.100.1']"], "pattern-list"),
    ("indicator", "pattern_type", ["stix"], "pattern-type-list"),
    ("indicator", "valid_from", True, "valid-from-boolean"),
    ("indicator", "indicator_types", "malicious-activity", "indicator-types-string"),
    ("indicator", "indicator_types", [], "indicator-types-empty"),
    ("malware", "is_family", "true", "is-family-string"),
    ("malware", "malware_types", "ransomware", "malware-types-string"),
    ("malware", "operating_system_refs", [IPV4_REF], "operating-system-refs-not-software"),
    ("grouping", "object_refs", [], "object-refs-empty"),
    ("grouping", "object_refs", INDICATOR_REF, "object-refs-string"),
    ("grouping", "object_refs", ["indicator"], "object-refs-not-identifier"),
    ("grouping", "context", 5, "context-number"),
    ("note", "content", 5, "content-number"),
    ("note", "authors", "John", "authors-string"),
    ("opinion", "opinion", "maybe", "opinion-not-in-enum"),
    ("opinion", "opinion", "Agree", "opinion-wrong-case"),
    ("report", "published", "yesterday", "published-not-timestamp"),
    ("report", "object_refs", [], "object-refs-empty"),
    ("report", "report_types", "campaign", "report-types-string"),
    ("observed-data", "number_observed", "1", "number-observed-string"),
    ("observed-data", "number_observed", 0, "number-observed-zero"),
    ("observed-data", "number_observed", 1000000000, "number-observed-too-large"),
    ("observed-data", "number_observed", 1.5, "number-observed-float"),
    ("observed-data", "object_refs", [], "object-refs-empty"),
    ("location", "latitude", 91, "latitude-too-large"),
    ("location", "latitude", "48.85", "latitude-string"),
    ("threat-actor", "threat_actor_types", "criminal", "threat-actor-types-string"),
    ("threat-actor", "goals", [], "goals-empty"),
    ("tool", "tool_version", 6, "tool-version-number"),
    ("tool", "tool_types", [], "tool-types-empty"),
    ("infrastructure", "infrastructure_types", "botnet", "infrastructure-types-string"),
    ("intrusion-set", "secondary_motivations", "dominance", "secondary-motivations-string"),
    ("vulnerability", "name", None, "name-null"),
    ("course-of-action", "name", True, "name-boolean"),
    ("incident", "name", {"en": "Breach"}, "name-object"),
    ("malware-analysis", "product", 3, "product-number"),
    ("malware-analysis", "sample_ref", INDICATOR_REF, "sample-ref-indicator"),
    ("malware-analysis", "host_vm_ref", FILE_REF, "host-vm-ref-not-software"),
    ("malware-analysis", "analysis_sco_refs", [], "analysis-sco-refs-empty"),
    ("relationship", "relationship_type", 7, "relationship-type-number"),
    ("relationship", "source_ref", "indicator", "source-ref-not-identifier"),
    ("relationship", "description", ["x"], "description-list"),
    ("sighting", "count", "5", "count-string"),
    ("sighting", "count", -1, "count-negative"),
    ("sighting", "count", 1000000000, "count-too-large"),
    ("sighting", "count", 2.5, "count-float"),
    ("sighting", "summary", "yes", "summary-string"),
    ("sighting", "where_sighted_refs", IDENTITY_REF2, "where-sighted-refs-string"),
    ("sighting", "where_sighted_refs", [], "where-sighted-refs-empty"),
    ("sighting", "where_sighted_refs", [MALWARE_REF], "where-sighted-refs-malware"),
    ("sighting", "where_sighted_refs", ["ACME"], "where-sighted-refs-not-identifier"),
    ("sighting", "observed_data_refs", [INDICATOR_REF], "observed-data-refs-indicator"),
    ("sighting", "observed_data_refs", OBSERVED_DATA_REF, "observed-data-refs-string"),
    ("sighting", "sighting_of_ref", RELATIONSHIP_REF, "sighting-of-ref-relationship"),
    ("sighting", "sighting_of_ref", [INDICATOR_REF], "sighting-of-ref-list"),
    ("language-content", "contents", {}, "contents-empty"),
    ("language-content", "contents", "Bank Angriff", "contents-string"),
    ("language-content", "object_ref", BUNDLE_REF, "object-ref-bundle"),
    ("extension-definition", "extension_types", ["new-widget"], "extension-types-not-in-enum"),
    ("extension-definition", "extension_types", [], "extension-types-empty"),
    ("extension-definition", "extension_types", "new-sdo", "extension-types-string"),
    ("extension-definition", "version", 1, "version-number"),
    ("extension-definition", "created_by_ref", MALWARE_REF, "created-by-ref-not-identity"),
]
for t, prop, value, slug in WRONG_TYPES:
    case("invalid-%s-%s" % (t, slug), setp(MINIMAL[t], prop, value), "%s = %r" % (prop, value))

case("invalid-location-longitude-too-small", sdo("location", latitude=10.0, longitude=-180.5),
     "longitude below -180")
case("invalid-location-latitude-without-longitude", sdo("location", latitude=10.0, country="FR"),
     "latitude requires longitude (section 4.10)")
case("invalid-location-precision-without-coordinates", sdo("location", country="FR", precision=10.0),
     "precision requires latitude and longitude (section 4.10)")
case("invalid-observed-data-objects-and-object-refs",
     put(MINIMAL["observed-data"], objects={"0": {"type": "ipv4-addr", "id": IPV4_REF, "value": "198.51.100.3"}}),
     "objects MUST NOT be present with object_refs (section 4.14)")
case("invalid-observed-data-objects-bad-sco",
     drop(put(MINIMAL["observed-data"], objects={"0": {"type": "ipv4-addr", "id": sco_id(
         {"type": "ipv4-addr", "value": "999.51.100.2"}), "value": "999.51.100.2"}}),
          "object_refs"), "an SCO inside the deprecated container is itself invalid")
case("invalid-observed-data-object-refs-no-sco",
     put(MINIMAL["observed-data"], object_refs=[INDICATOR_REF, MALWARE_REF]),
     "object_refs MUST contain at least one SCO reference (section 4.14)")
case("invalid-sighting-sighting-of-ref-sco", put(MINIMAL["sighting"], sighting_of_ref=IPV4_REF),
     "sighting_of_ref MUST reference only an SDO (section 5.2)")
case("invalid-identity-created-by-ref-not-identity", put(MINIMAL["identity"], created_by_ref=MALWARE_REF),
     "created_by_ref is an identifier of type identity (section 3.2)")
case("invalid-identity-object-marking-refs-not-marking", put(MINIMAL["identity"],
                                                              object_marking_refs=[IDENTITY_REF2]),
     "object_marking_refs lists marking-definition ids (section 3.2 / 7.2.2)")
case("invalid-identity-defanged", put(MINIMAL["identity"], defanged=False),
     "defanged MUST NOT be used on objects other than SCOs (section 3.2)")
case("invalid-relationship-defanged", put(MINIMAL["relationship"], defanged=True),
     "defanged MUST NOT be used on objects other than SCOs (section 3.2)")

# 3. Identifier problems ------------------------------------------------------
GOOD_UUID = u4("id-tests")
ID_CASES = [
    ("type-mismatch", "indicator--" + GOOD_UUID, "id prefix is not the object's type"),
    ("no-separator", "identity-" + GOOD_UUID, "single hyphen between type and UUID"),
    ("uuid-non-hex", "identity--" + "g" + GOOD_UUID[1:], "UUID contains a non-hex digit"),
    ("uuid-truncated", "identity--" + GOOD_UUID[:-1], "UUID one digit short"),
    ("uuid-no-hyphens", "identity--" + GOOD_UUID.replace("-", ""), "UUID without hyphens"),
    ("uuid-version-0", "identity--" + GOOD_UUID[:14] + "0" + GOOD_UUID[15:], "UUID version nibble 0"),
    ("uuid-bad-variant", "identity--" + GOOD_UUID[:19] + "c" + GOOD_UUID[20:],
     "UUID variant bits not RFC 4122 (10xx)"),
    ("uppercase-type", "Identity--" + GOOD_UUID, "type part of the id is not lowercase"),
    ("trailing-space", "identity--" + GOOD_UUID + " ", "trailing whitespace"),
    ("number", 12345, "id is not a string"),
    ("empty", "", "id is empty"),
    ("only-type", "identity", "no UUID part"),
]
for slug, value, note in ID_CASES:
    case("invalid-identity-id-" + slug, put(MINIMAL["identity"], id=value), note, keep_id=True)
case("invalid-ipv4-addr-id-type-mismatch", put(SCO_MINIMAL["ipv4-addr"], id="ipv6-addr--" + GOOD_UUID),
     "SCO id prefix is not the object's type", keep_id=True)
case("invalid-file-id-bad-uuid", put(SCO_MINIMAL["file"], id="file--1234"), "SCO id with bad UUID", keep_id=True)
case("invalid-relationship-id-type-mismatch", put(MINIMAL["relationship"], id="sighting--" + GOOD_UUID),
     "SRO id prefix is not the object's type", keep_id=True)
case("invalid-marking-definition-id-type-mismatch",
     {"type": "marking-definition", "spec_version": "2.1", "id": "identity--" + GOOD_UUID, "created": CREATED,
      "definition_type": "statement", "definition": {"statement": "x"}},
     "marking-definition id prefix mismatch", keep_id=True)
case("invalid-identity-created-by-ref-bad-uuid", put(MINIMAL["identity"], created_by_ref="identity--xyz"),
     "reference with a malformed UUID")
case("invalid-grouping-object-refs-bad-uuid", put(MINIMAL["grouping"], object_refs=["indicator--1234"]),
     "reference list with a malformed UUID")
case("invalid-process-uuidv5", put(SCO_MINIMAL["process"],
                                   id="process--%s" % uuid.uuid5(STIX_SCO_NAMESPACE, '{"pid":1221}')),
     "process ids MUST be UUIDv4 (no ID contributing properties, section 2.9)", keep_id=True)
case("invalid-user-account-no-contrib-uuidv5",
     {"type": "user-account", "spec_version": "2.1", "display_name": "Guest",
      "id": "user-account--%s" % uuid.uuid5(STIX_SCO_NAMESPACE, '{"display_name":"Guest"}')},
     "no ID contributing property present, so a UUIDv4 MUST be used (section 2.9)", keep_id=True)

# 4. Timestamps -----------------------------------------------------------------
TS_CASES = [
    ("no-z", "2023-03-01T10:00:00.000", "no Z designator"),
    ("offset", "2023-03-01T10:00:00.000+00:00", "numeric offset instead of Z"),
    ("lowercase-z", "2023-03-01T10:00:00.000z", "lowercase z"),
    ("lowercase-t", "2023-03-01t10:00:00.000Z", "lowercase t"),
    ("space-separator", "2023-03-01 10:00:00.000Z", "space instead of T"),
    ("date-only", "2023-03-01", "date without time"),
    ("feb-30", "2023-02-30T10:00:00.000Z", "February 30th"),
    ("feb-29-non-leap", "2023-02-29T10:00:00.000Z", "February 29th in a non-leap year"),
    ("month-13", "2023-13-01T10:00:00.000Z", "month 13"),
    ("hour-24", "2023-03-01T24:00:00.000Z", "hour 24"),
    ("minute-60", "2023-03-01T10:60:00.000Z", "minute 60"),
    ("empty-fraction", "2023-03-01T10:00:00.Z", "decimal point without digits"),
    ("no-milliseconds", "2023-03-01T10:00:00Z", "created without millisecond precision (section 3.2)"),
    ("two-fraction-digits", "2023-03-01T10:00:00.12Z", "created with only 2 fractional digits (section 3.2)"),
    ("two-digit-year", "23-03-01T10:00:00.000Z", "two-digit year"),
    ("number", 1677664800000, "epoch number instead of a string"),
]
for slug, value, note in TS_CASES:
    # modified is set equal so that only created is broken
    case("invalid-campaign-created-" + slug, put(MINIMAL["campaign"], created=value), note)
case("invalid-campaign-modified-no-milliseconds", put(MINIMAL["campaign"], modified="2023-03-02T11:30:00Z"),
     "modified without millisecond precision (section 3.2)")
case("invalid-campaign-modified-offset", put(MINIMAL["campaign"], modified="2023-03-02T12:30:00.000+01:00"),
     "modified with a numeric offset")
case("invalid-campaign-modified-before-created",
     put(MINIMAL["campaign"], created=MODIFIED, modified=CREATED), "modified earlier than created (section 3.2)")
case("invalid-campaign-modified-1ms-before-created",
     put(MINIMAL["campaign"], created="2023-03-01T10:00:00.001Z", modified="2023-03-01T10:00:00.000Z"),
     "modified 1 ms earlier than created")
case("invalid-campaign-last-seen-before-first-seen",
     put(MINIMAL["campaign"], first_seen=T_LAST, last_seen=T_FIRST), "section 4.2")
case("invalid-campaign-first-seen-no-z", put(MINIMAL["campaign"], first_seen="2023-01-05T08:00:00"),
     "first_seen without Z")
case("invalid-campaign-first-seen-feb-30", put(MINIMAL["campaign"], first_seen="2023-02-30T08:00:00Z"),
     "first_seen on February 30th")
case("invalid-indicator-valid-until-equals-valid-from",
     put(MINIMAL["indicator"], valid_until=T_FIRST), "valid_until MUST be later than valid_from (section 4.7)")
case("invalid-indicator-valid-until-before-valid-from",
     put(MINIMAL["indicator"], valid_from=T_LAST, valid_until=T_FIRST), "section 4.7")
case("invalid-indicator-valid-from-offset", put(MINIMAL["indicator"], valid_from="2023-01-05T08:00:00-05:00"),
     "valid_from with an offset")
case("invalid-indicator-valid-from-month-00", put(MINIMAL["indicator"], valid_from="2023-00-05T08:00:00Z"),
     "valid_from with month 00")
case("invalid-infrastructure-last-seen-before-first-seen",
     put(MINIMAL["infrastructure"], first_seen=T_LAST, last_seen=T_FIRST), "section 4.8")
case("invalid-intrusion-set-last-seen-before-first-seen",
     put(MINIMAL["intrusion-set"], first_seen=T_LAST, last_seen=T_FIRST), "section 4.9")
case("invalid-malware-last-seen-before-first-seen",
     put(MINIMAL["malware"], first_seen=T_LAST, last_seen=T_FIRST), "section 4.11")
case("invalid-threat-actor-last-seen-before-first-seen",
     put(MINIMAL["threat-actor"], first_seen=T_LAST, last_seen=T_FIRST), "section 4.17")
case("invalid-observed-data-last-before-first",
     put(MINIMAL["observed-data"], first_observed=T_LAST, last_observed=T_FIRST), "section 4.14")
case("invalid-observed-data-first-observed-no-z",
     put(MINIMAL["observed-data"], first_observed="2023-01-05T08:00:00"), "first_observed without Z")
case("invalid-report-published-offset", put(MINIMAL["report"], published="2023-02-20T17:45:30+00:00"),
     "published with an offset")
case("invalid-relationship-stop-equals-start",
     put(MINIMAL["relationship"], start_time=T_FIRST, stop_time=T_FIRST),
     "stop_time MUST be later than start_time (section 5.1)")
case("invalid-relationship-stop-before-start",
     put(MINIMAL["relationship"], start_time=T_LAST, stop_time=T_FIRST), "section 5.1")
case("invalid-sighting-last-seen-before-first-seen",
     put(MINIMAL["sighting"], first_seen=T_LAST, last_seen=T_FIRST), "section 5.2")
case("invalid-network-traffic-end-before-start",
     sco("network-traffic", src_ref=IPV4_REF, protocols=["tcp"], start=T_LAST, end=T_FIRST), "section 6.12")
case("invalid-network-traffic-active-with-end",
     sco("network-traffic", src_ref=IPV4_REF, protocols=["tcp"], start=T_FIRST, end=T_LAST, is_active=True),
     "end MUST NOT be present when is_active is true (section 6.12)")
case("invalid-language-content-object-modified-bad", put(MINIMAL["language-content"],
                                                         object_modified="2017-02-08 21:31:22Z"),
     "object_modified not a STIX timestamp")
case("invalid-file-ctime-no-z", sco("file", name="t.txt", ctime="2023-01-05T08:00:00"), "SCO timestamp without Z")
case("invalid-x509-certificate-validity-bad-date",
     sco("x509-certificate", serial_number="01", validity_not_before="2016-02-30T12:00:00Z"),
     "validity_not_before on February 30th")
case("invalid-marking-definition-created-no-z",
     {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", "ts-no-z"),
      "created": "2023-03-01T10:00:00.000", "definition_type": "statement", "definition": {"statement": "x"}},
     "marking created without Z", keep_id=True)
case("invalid-marking-definition-created-no-milliseconds",
     {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", "ts-no-ms"),
      "created": "2023-03-01T10:00:00Z", "definition_type": "statement", "definition": {"statement": "x"}},
     "created needs millisecond precision on every object type (section 3.2)", keep_id=True)

# 5. confidence --------------------------------------------------------------------
for slug, value in [("negative", -1), ("101", 101), ("float", 50.5), ("string", "50"), ("boolean", True)]:
    case("invalid-indicator-confidence-" + slug, put(MINIMAL["indicator"], confidence=value),
         "confidence MUST be an integer in 0..100 (section 3.2)")

# 6. kill chain phases ----------------------------------------------------------------
KCP_CASES = [
    ("missing-phase-name", [{"kill_chain_name": "lockheed-martin-cyber-kill-chain"}]),
    ("missing-kill-chain-name", [{"phase_name": "delivery"}]),
    ("phase-name-number", [{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": 3}]),
    ("item-string", ["delivery"]),
]
for slug, value in KCP_CASES:
    case("invalid-attack-pattern-kill-chain-" + slug, put(MINIMAL["attack-pattern"], kill_chain_phases=value),
         "kill-chain-phase needs string kill_chain_name and phase_name (section 2.11)")
case("invalid-tool-kill-chain-missing-phase-name",
     put(MINIMAL["tool"], kill_chain_phases=[{"kill_chain_name": "mitre-attack"}]), "section 2.11")
case("invalid-indicator-kill-chain-missing-kill-chain-name",
     put(MINIMAL["indicator"], kill_chain_phases=[{"phase_name": "delivery"}]), "section 2.11")

# 7. external references ----------------------------------------------------------------
EXTREF_CASES = [
    ("without-source-name", [{"description": "Threat report", "url": "https://example.com/r.pdf"}]),
    ("source-name-only", [{"source_name": "ACME"}]),
    ("source-name-number", [{"source_name": 7, "external_id": "1"}]),
    ("item-string", ["https://example.com/r.pdf"]),
    ("hashes-md5-short", [{"source_name": "ACME", "url": "https://example.com/r.pdf",
                           "hashes": {"MD5": MD5[:-1]}}]),
    ("hashes-empty", [{"source_name": "ACME", "url": "https://example.com/r.pdf", "hashes": {}}]),
    ("hashes-key-not-in-vocab", [{"source_name": "ACME", "url": "https://example.com/r.pdf",
                                  "hashes": {"x_acme": "abcd"}}]),
    ("url-not-a-url", [{"source_name": "ACME", "url": "not a url at all"}]),
]
for slug, value in EXTREF_CASES:
    case("invalid-campaign-external-reference-" + slug, put(MINIMAL["campaign"], external_references=value),
         "section 2.5")

# 8. hashes --------------------------------------------------------------------------------
HASH_CASES = [
    ("md5-31-chars", {"MD5": MD5[:-1]}),
    ("md5-33-chars", {"MD5": MD5 + "a"}),
    ("sha1-non-hex", {"SHA-1": "z" + SHA1[1:]}),
    ("sha256-63-chars", {"SHA-256": SHA256[:-1]}),
    ("sha256-65-chars", {"SHA-256": SHA256 + "0"}),
    ("sha512-wrong-length", {"SHA-512": SHA512[:100]}),
    ("sha3-256-wrong-length", {"SHA3-256": SHA1}),
    ("empty-dict", {}),
    ("value-number", {"SHA-256": 12345}),
    ("key-2-chars", {"md": MD5}),
    ("key-with-space", {"SHA 256": SHA256}),
]
for slug, value in HASH_CASES:
    case("invalid-file-hashes-" + slug, sco("file", name="h.bin", hashes=value), "section 2.7")
case("invalid-artifact-hashes-md5-short", sco("artifact", payload_bin="VGhpcyBpcyBhIHRlc3Q=",
                                              hashes={"MD5": MD5[:-2]}), "section 2.7")
case("invalid-x509-certificate-hashes-sha256-short", sco("x509-certificate", hashes={"SHA-256": SHA256[:-4]}),
     "section 2.7")
_dup = {"type": "bundle", "id": sid("bundle", "bundle:invalid-file-hashes-duplicate-key"),
        "objects": [{"type": "file", "spec_version": "2.1",
                     "id": sco_id({"type": "file", "name": "dup.bin"}, "invalid-file-hashes-duplicate-key"),
                     "name": "dup.bin", "hashes": {"SHA-256": SHA256, "@@DUPLICATE@@": "0" * 64}}]}
raw_case("invalid-file-hashes-duplicate-key",
         json.dumps(_dup, indent=2).replace('"@@DUPLICATE@@"', '"SHA-256"') + "\n",
         "hashes keys MUST be unique (section 2.7); the duplicate can only be seen in the raw JSON text")

# 9. custom property naming ---------------------------------------------------------------------
PROP_NAME_CASES = [
    ("uppercase-start", "X_acme_score"),
    ("uppercase-inside", "x_acme_Score"),
    ("too-short", "xy"),
    ("too-long", "x_" + "a" * 249),
    ("hyphen", "x_acme-score"),
    ("space", "x_acme score"),
    ("dot", "x_acme.score"),
    ("starts-with-digit", "1x_score"),
    ("non-ascii", "x_acme_na\u00efve"),
]
for slug, name in PROP_NAME_CASES:
    case("invalid-indicator-custom-property-" + slug, setp(MINIMAL["indicator"], name, 1),
         "custom property name %r breaks section 11.1.1 / 3.1" % name)
for slug, name in [("uppercase", "x_Acme"), ("hyphen", "x_acme-count"), ("too-short", "ab")]:
    case("invalid-ipv4-addr-custom-property-" + slug, setp(SCO_MINIMAL["ipv4-addr"], name, 1),
         "custom property name %r on an SCO" % name)
case("invalid-campaign-custom-bin-not-base64", put(MINIMAL["campaign"], x_acme_blob_bin="not base64!"),
     "a _bin property MUST hold base64 (section 2.1 / 3.1)")
case("invalid-campaign-custom-hex-odd-length", put(MINIMAL["campaign"], x_acme_flags_hex="abc"),
     "a _hex property MUST hold an even number of hex digits (section 2.8)")
# Custom properties' values: stix2-validator holds `_bin` and `_hex` values to their kind, not
# `_ref`/`_refs` values (ATT&CK publishes `x_mitre_data_source_ref: ""`); no property is an empty list.
case("valid-campaign-custom-ref-empty-string", put(MINIMAL["campaign"], x_acme_source_ref=""),
     "a custom property is defined by its producer: a `_ref` suffix does not make its value a reference")
case("valid-campaign-custom-refs-not-identifiers", put(MINIMAL["campaign"], x_acme_source_refs=["T1059", 3]),
     "a custom `_refs` property's items are its producer's to define")
case("valid-x-mitre-data-component-source-ref-empty",
     {"type": "x-mitre-data-component", "spec_version": "2.1", "id": sid("x-mitre-data-component", "dc"),
      "created": CREATED, "modified": MODIFIED, "name": "Process Creation", "x_mitre_data_source_ref": ""},
     "ATT&CK enterprise's data components carry an empty x_mitre_data_source_ref")
case("invalid-campaign-custom-property-empty-list", put(MINIMAL["campaign"], x_acme_tags=[]),
     "no property is an empty list, custom ones included (section 3.1)")

# An object without spec_version in a bundle without one: a STIX 2.0 object when it has
# `created` (stix2-validator's find_version; 2.1 observables have no `created`).
STIX20_INDICATOR = {"type": "indicator", "id": sid("indicator", "stix20"), "created": CREATED,
                    "modified": MODIFIED, "labels": ["malicious-activity"],
                    "pattern": "[ipv4-addr:value = '198.51.100.7']", "valid_from": T_FIRST}
case("valid-indicator-stix20-in-unversioned-bundle", STIX20_INDICATOR,
     "read as STIX 2.0 (it has created): a well-formed 2.0 indicator, which 2.1 bundles may hold")
case("invalid-indicator-stix20-in-unversioned-bundle-missing-labels", drop(STIX20_INDICATOR, "labels"),
     "read as STIX 2.0, it lacks the labels 2.0 requires of indicators")
case("invalid-indicator-stix21-shape-without-spec-version", drop(MINIMAL["indicator"], "spec_version"),
     "read as STIX 2.0 (it has created), a 2.1 indicator lacks the labels 2.0 requires")
case("valid-ipv4-addr-without-spec-version", drop(sco("ipv4-addr", value="198.51.100.9"), "spec_version"),
     "an observable has no created, so it is read as STIX 2.1, where its spec_version is optional")

case("invalid-file-magic-number-hex-uppercase", sco("file", name="m.bin", magic_number_hex="FFD8"),
     "hex uses lowercase a-f only (section 2.8)")
case("invalid-file-magic-number-hex-not-hex", sco("file", name="m2.bin", magic_number_hex="zz"),
     "not hexadecimal")

# 10. extensions -------------------------------------------------------------------------------------
EXT_CASES = [
    ("key-not-extension-name", {"acme": {"rank": 1}}, "key neither an extension-definition id nor *-ext"),
    ("extension-definition-bad-uuid", {"extension-definition--1234": {"extension_type": "property-extension",
                                                                      "rank": 1}},
     "extension-definition key with a malformed UUID"),
    ("missing-extension-type", {EXTDEF_REF: {"rank": 1}},
     "extension_type MUST be present with the extension facility (section 3.2)"),
    ("extension-type-not-in-enum", {EXTDEF_REF: {"extension_type": "property-extensions", "rank": 1}},
     "extension_type MUST come from extension-type-enum"),
    ("value-not-object", {EXTDEF_REF: "property-extension"}, "extension value is not a dictionary"),
    ("uppercase-key", {"Extension-Definition--" + EXTDEF_REF.split("--")[1]:
                       {"extension_type": "property-extension", "rank": 1}}, "extension key not lowercase"),
]
for slug, value, note in EXT_CASES:
    case("invalid-campaign-extensions-" + slug, put(MINIMAL["campaign"], extensions=value), note)
case("invalid-campaign-extension-property-uppercase",
     put(MINIMAL["campaign"], extensions={EXTDEF_REF: {"extension_type": "property-extension", "Rank": 1}}),
     "extension property names MUST be lowercase (section 7.3.2)")
SCO_EXT_CASES = [
    ("custom-without-ext-suffix", {"x-acme-scan": {"verdict": "clean"}}, "custom SCO extension names MUST end with -ext (section 11.3)"),
    ("custom-uppercase", {"X-ACME-scan-ext": {"verdict": "clean"}}, "custom SCO extension names are lowercase"),
    ("custom-empty", {"x-acme-scan-ext": {}}, "a custom extension MUST have one or more properties (section 11.3)"),
    ("ntfs-empty", {"ntfs-ext": {}}, "NTFS extension with no property"),
    ("ntfs-ads-missing-name", {"ntfs-ext": {"alternate_data_streams": [{"size": 5}]}},
     "alternate data stream requires name"),
    ("pebinary-missing-pe-type", {"windows-pebinary-ext": {"machine_hex": "014c"}}, "pe_type is required"),
    ("archive-missing-contains-refs", {"archive-ext": {"comment": "x"}}, "contains_refs is required"),
    ("raster-image-empty", {"raster-image-ext": {}}, "raster image extension with no property"),
    ("pdf-is-optimized-string", {"pdf-ext": {"is_optimized": "no"}}, "is_optimized is a boolean"),
]
for slug, value, note in SCO_EXT_CASES:
    case("invalid-file-extension-" + slug, sco("file", name="e.bin", extensions=value), note)
NT_EXT_CASES = [
    ("http-missing-request-method", {"http-request-ext": {"request_value": "/"}}, "request_method is required"),
    ("icmp-missing-code", {"icmp-ext": {"icmp_type_hex": "08"}}, "icmp_code_hex is required"),
    ("socket-bad-address-family", {"socket-ext": {"address_family": "AF_ACME"}}, "address_family enum"),
    ("tcp-flags-not-hex", {"tcp-ext": {"src_flags_hex": "SYN"}}, "hex property with a non-hex value"),
]
for slug, value, note in NT_EXT_CASES:
    case("invalid-network-traffic-extension-" + slug,
         sco("network-traffic", src_ref=IPV4_REF, protocols=["tcp"], extensions=value), note)
case("invalid-process-extension-windows-process-bad-integrity",
     sco("process", pid=4, extensions={"windows-process-ext": {"integrity_level": "ultra"}}),
     "integrity_level enum")
case("invalid-process-extension-windows-service-bad-start-type",
     sco("process", pid=5, extensions={"windows-service-ext": {"service_name": "x", "start_type": "AUTO"}}),
     "start_type enum")
case("invalid-user-account-extension-unix-empty", sco("user-account", user_id="7",
                                                      extensions={"unix-account-ext": {}}),
     "unix account extension with no property")
case("invalid-extension-definition-extension-properties-without-toplevel",
     put(MINIMAL["extension-definition"], extension_properties=["x_acme_a"]),
     "extension_properties MUST only be used with toplevel-property-extension (section 7.3.1)")

# 11. relationships --------------------------------------------------------------------------------------
REL_CASES = [
    ("type-uppercase", {"relationship_type": "Indicates"}, "relationship_type is lowercase ASCII"),
    ("type-space", {"relationship_type": "related to"}, "relationship_type allows a-z, 0-9, hyphen"),
    ("type-underscore", {"relationship_type": "related_to"}, "relationship_type allows a-z, 0-9, hyphen"),
    ("source-relationship", {"source_ref": RELATIONSHIP_REF}, "source_ref cannot point to an SRO"),
    ("source-sighting", {"source_ref": SIGHTING_REF}, "source_ref cannot point to an SRO"),
    ("target-marking-definition", {"target_ref": TLP_GREEN_REF}, "target_ref cannot point to a marking"),
    ("target-bundle", {"target_ref": BUNDLE_REF}, "target_ref cannot point to a bundle"),
    ("source-language-content", {"source_ref": LANGUAGE_CONTENT_REF}, "cannot point to language content"),
    ("target-list", {"target_ref": [MALWARE_REF]}, "target_ref is a single identifier"),
    ("start-time-bad", {"start_time": "2023-01-05"}, "start_time is not a timestamp"),
]
for slug, kv, note in REL_CASES:
    case("invalid-relationship-" + slug, put(MINIMAL["relationship"], **kv), note + " (section 5.1)")

# 12. marking definitions ---------------------------------------------------------------------------------------


def marking(seed, **props):
    obj = {"type": "marking-definition", "spec_version": "2.1", "id": sid("marking-definition", seed),
           "created": CREATED}
    obj.update(props)
    return obj


MARKING_CASES = [
    ("missing-definition", marking("m1", definition_type="statement"),
     "definition MUST be present when extensions is absent (section 7.2.1)"),
    ("missing-definition-type", marking("m2", definition={"statement": "x"}),
     "definition_type MUST be present when extensions is absent (section 7.2.1)"),
    ("missing-created", drop(marking("m3", definition_type="statement", definition={"statement": "x"}), "created"),
     "created is required"),
    ("missing-spec-version", drop(marking("m4", definition_type="statement", definition={"statement": "x"}),
                                  "spec_version"), "spec_version is required"),
    ("statement-missing-statement", marking("m5", definition_type="statement", definition={"text": "x"}),
     "a statement marking requires statement"),
    ("statement-not-string", marking("m6", definition_type="statement", definition={"statement": 5}),
     "statement is a string"),
    ("statement-with-tlp-definition", marking("m7", definition_type="statement", definition={"tlp": "green"}),
     "definition does not match definition_type"),
    ("definition-not-object", marking("m8", definition_type="statement", definition="Copyright"),
     "definition is a marking object"),
    ("definition-type-number", marking("m9", definition_type=1, definition={"statement": "x"}),
     "definition_type is a string"),
    ("tlp-custom-id", marking("m10", definition_type="tlp", name="TLP:GREEN", definition={"tlp": "green"}),
     "other instances of TLP markings MUST NOT be created (section 7.2.1.4)"),
    ("tlp-clear", marking("m11", definition_type="tlp", name="TLP:CLEAR", definition={"tlp": "clear"}),
     "TLP 2.0 CLEAR is not one of the four STIX 2.1 TLP marking objects"),
    ("self-reference", marking("m12", definition_type="statement", definition={"statement": "x"},
                               object_marking_refs=[sid("marking-definition", "m12")]),
     "object_marking_refs MUST NOT reference the marking itself (section 3.2)"),
    ("granular-self-reference", marking("m13", name="Self", definition_type="statement",
                                        definition={"statement": "x"},
                                        granular_markings=[{"marking_ref": sid("marking-definition", "m13"),
                                                            "selectors": ["name"]}]),
     "granular_markings MUST NOT reference the marking itself (section 3.2)"),
    ("extension-missing-extension-type", marking("m14", name="x", extensions={EXTDEF_REF: {"level": "x"}}),
     "extension without extension_type"),
    ("created-by-ref-bad", marking("m15", created_by_ref="ACME", definition_type="statement",
                                   definition={"statement": "x"}), "created_by_ref not an identifier"),
]
for slug, obj, note in MARKING_CASES:
    case("invalid-marking-definition-" + slug, obj, note, keep_id=True)
for level in ["white", "green"]:
    mid, mname = TLP[level]
    std = {"type": "marking-definition", "spec_version": "2.1", "id": mid, "created": "2017-01-20T00:00:00.000Z",
           "definition_type": "tlp", "name": mname, "definition": {"tlp": level}}
    other = "red" if level == "white" else "amber"
    case("invalid-marking-definition-tlp-%s-wrong-level" % level, put(std, definition={"tlp": other}),
         "standard TLP id with a different TLP level", keep_id=True)
    case("invalid-marking-definition-tlp-%s-wrong-created" % level, put(std, created=CREATED),
         "standard TLP object altered (section 7.2.1.4)", keep_id=True)
case("invalid-marking-definition-tlp-green-wrong-name",
     {"type": "marking-definition", "spec_version": "2.1", "id": TLP["green"][0],
      "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER",
      "definition": {"tlp": "green"}}, "standard TLP object altered (section 7.2.1.4)", keep_id=True)

# 13. granular markings ------------------------------------------------------------------------------------------
GM_CASES = [
    ("marking-ref-not-marking", [{"marking_ref": IDENTITY_REF, "selectors": ["name"]}],
     "marking_ref must be a marking-definition id"),
    ("missing-selectors", [{"marking_ref": TLP_GREEN_REF}], "selectors is required"),
    ("selectors-empty", [{"marking_ref": TLP_GREEN_REF, "selectors": []}], "selectors may not be empty"),
    ("selector-absent-property", [{"marking_ref": TLP_GREEN_REF, "selectors": ["description"]}],
     "selectors MUST refer to properties present on the object (section 7.2.3)"),
    ("selector-index-out-of-range", [{"marking_ref": TLP_GREEN_REF, "selectors": ["aliases.[5]"]}],
     "list index beyond the list"),
    ("selector-index-into-string", [{"marking_ref": TLP_GREEN_REF, "selectors": ["name.[0]"]}],
     "name is a string, not a list"),
    ("neither-marking-ref-nor-lang", [{"selectors": ["name"]}],
     "one of marking_ref / lang MUST be present (section 7.2.3)"),
    ("both-marking-ref-and-lang", [{"marking_ref": TLP_GREEN_REF, "lang": "de", "selectors": ["name"]}],
     "marking_ref and lang MUST NOT both be present (section 7.2.3)"),
    ("lang-invalid", [{"lang": "de_DE", "selectors": ["name"]}], "lang MUST be an RFC 5646 code"),
    ("not-a-list", {"marking_ref": TLP_GREEN_REF, "selectors": ["name"]}, "granular_markings is a list"),
]
for slug, value, note in GM_CASES:
    case("invalid-campaign-granular-marking-" + slug,
         put(MINIMAL["campaign"], aliases=["Alpha"], granular_markings=value), note)

# 14. lang -----------------------------------------------------------------------------------------------
for slug, value in [("underscore", "en_US"), ("empty", ""), ("number", 1), ("single-letter", "e"),
                    ("digits", "123"), ("trailing-hyphen", "en-")]:
    case("invalid-identity-lang-" + slug, put(MINIMAL["identity"], lang=value),
         "lang MUST be an RFC 5646 language code (section 3.2)")
case("invalid-language-content-contents-key-not-lang",
     put(MINIMAL["language-content"], contents={"german": {"name": "Bank Angriff"}}),
     "contents keys MUST be RFC 5646 codes (section 7.1)")
case("invalid-language-content-contents-key-underscore",
     put(MINIMAL["language-content"], contents={"de_DE": {"name": "Bank Angriff"}}),
     "contents keys MUST be RFC 5646 codes (section 7.1)")
case("invalid-language-content-contents-value-not-object",
     put(MINIMAL["language-content"], contents={"de": "Bank Angriff"}),
     "contents values are dictionaries mirroring the target object")

# 15. spec_version problems on otherwise 2.1 objects --------------------------------------------------------
case("invalid-indicator-spec-version-2.0-with-2.1-shape", put(MINIMAL["indicator"], spec_version="2.0"),
     "declares 2.0 but lacks 2.0's required labels and uses 2.1 properties")
case("invalid-ipv4-addr-spec-version-2.2", put(SCO_MINIMAL["ipv4-addr"], spec_version="2.2"),
     "spec_version MUST be 2.1")

# 16. indicator patterns (few; pattern checking is a separate corpus) -------------------------------------
case("invalid-indicator-pattern-syntax-unbalanced", put(MINIMAL["indicator"],
                                                        pattern="[ipv4-addr:value = '198.51.100.1'"),
     "STIX pattern missing its closing bracket")
case("invalid-indicator-pattern-syntax-garbage", put(MINIMAL["indicator"], pattern="this is not a pattern"),
     "pattern_type stix with a non-pattern string")
case("invalid-indicator-pattern-empty", put(MINIMAL["indicator"], pattern=""), "empty STIX pattern")

# 17. SCO specific ---------------------------------------------------------------------------------------------
SCO_INVALID = [
    ("artifact", "payload-and-url", dict(payload_bin="VGhpcyBpcyBhIHRlc3Q=", url="https://example.com/a.bin",
                                         hashes={"SHA-256": SHA256}), "payload_bin MUST NOT be present with url"),
    ("artifact", "url-without-hashes", dict(url="https://example.com/a.bin"), "hashes MUST be present with url"),
    ("artifact", "decryption-key-without-algorithm", dict(payload_bin="VGhpcyBpcyBhIHRlc3Q=",
                                                          decryption_key="secret"),
     "decryption_key MUST NOT be present without encryption_algorithm"),
    ("artifact", "payload-not-base64", dict(payload_bin="not base64!"), "payload_bin is base64"),
    ("artifact", "encryption-algorithm-not-in-enum", dict(payload_bin="VGhpcyBpcyBhIHRlc3Q=",
                                                          encryption_algorithm="rot13"),
     "encryption-algorithm-enum"),
    ("autonomous-system", "number-string", dict(number="AS15139"), "number is an integer"),
    ("directory", "path-number", dict(path=5), "path is a string"),
    ("directory", "path-enc-not-iana", dict(path="/tmp", path_enc="klingon-8"),
     "path_enc MUST be an IANA character set name"),
    ("domain-name", "value-with-space", dict(value="exa mple.com"), "not a domain name"),
    ("domain-name", "resolves-to-refs-string", dict(value="example.net", resolves_to_refs=IPV4_REF),
     "resolves_to_refs is a list"),
    ("email-addr", "value-number", dict(value=5), "value is a string"),
    ("email-message", "multipart-with-body", dict(is_multipart=True, body="hello",
                                                  body_multipart=[{"body": "x"}]),
     "body MUST NOT be used when is_multipart is true"),
    ("email-message", "not-multipart-with-body-multipart", dict(is_multipart=False, subject="s",
                                                                body_multipart=[{"body": "x"}]),
     "body_multipart MUST NOT be used when is_multipart is false"),
    ("email-message", "mime-part-without-body", dict(is_multipart=True, subject="s",
                                                     body_multipart=[{"content_type": "text/plain"}]),
     "a MIME part needs body or body_raw_ref"),
    ("email-message", "is-multipart-string", dict(is_multipart="false", subject="s"), "is_multipart is a boolean"),
    ("email-message", "date-bad", dict(is_multipart=False, subject="s", date="Tue, 5 Jan 2023 08:00:00 +0000"),
     "date is a STIX timestamp"),
    ("file", "size-negative", dict(name="n.bin", size=-1), "size MUST NOT be negative"),
    ("file", "size-string", dict(name="n2.bin", size="1024"), "size is an integer"),
    ("file", "name-enc-not-iana", dict(name="n3.bin", name_enc="klingon-8"), "name_enc MUST be IANA"),
    ("file", "name-number", dict(name=7), "name is a string"),
    ("ipv4-addr", "octet-256", dict(value="256.1.1.1"), "not an IPv4 address"),
    ("ipv4-addr", "cidr-33", dict(value="10.0.0.0/33"), "prefix length above 32"),
    ("ipv4-addr", "value-ipv6", dict(value="2001:db8::1"), "an IPv6 address in ipv4-addr"),
    ("ipv6-addr", "bad-hex-group", dict(value="2001:db8::g1"), "not an IPv6 address"),
    ("ipv6-addr", "value-ipv4", dict(value="198.51.100.3"), "an IPv4 address in ipv6-addr"),
    ("mac-addr", "uppercase", dict(value="D2:FB:49:24:37:18"), "MAC MUST be lowercase (section 6.10)"),
    ("mac-addr", "dash-separated", dict(value="d2-fb-49-24-37-18"), "MAC MUST be colon-delimited"),
    ("mac-addr", "missing-leading-zero", dict(value="d2:fb:49:24:37:8"), "octets MUST include leading zeros"),
    ("mutex", "name-list", dict(name=["a"]), "name is a string"),
    ("network-traffic", "port-too-large", dict(src_ref=IPV4_REF, protocols=["tcp"], src_port=70000),
     "ports are 0..65535"),
    ("network-traffic", "protocols-string", dict(src_ref=IPV4_REF, protocols="tcp"), "protocols is a list"),
    ("network-traffic", "protocols-empty", dict(src_ref=IPV4_REF, protocols=[]), "protocols is not empty"),
    ("process", "pid-string", dict(pid="1221"), "pid is an integer"),
    ("process", "environment-variables-empty", dict(pid=1, environment_variables={}),
     "empty dictionaries are prohibited (section 2.3)"),
    ("software", "languages-not-iso639-2", dict(name="Word", languages=["english"]),
     "languages are ISO 639-2 codes"),
    ("software", "languages-unknown-code", dict(name="Word", languages=["zzz"]), "zzz is not an ISO 639-2 code"),
    ("software", "cpe-22-format", dict(name="Word", cpe="cpe:/a:microsoft:word:2000"), "cpe MUST be CPE 2.3"),
    ("url", "not-a-url", dict(value="not a url"), "value MUST be an RFC 3986 URL"),
    ("user-account", "is-privileged-string", dict(user_id="1", is_privileged="no"), "boolean property"),
    ("user-account", "account-created-bad", dict(user_id="2", account_created="2023-01-05"),
     "timestamp property"),
    ("windows-registry-key", "abbreviated-hive", dict(key="HKLM\\Software\\Acme"),
     "the hive MUST be fully expanded (section 6.17)"),
    ("windows-registry-key", "data-type-not-in-enum", dict(key="HKEY_LOCAL_MACHINE\\Software\\Acme2",
                                                            values=[{"name": "a", "data_type": "REG_FOO"}]),
     "windows-registry-datatype-enum"),
    ("windows-registry-key", "number-of-subkeys-string", dict(key="HKEY_LOCAL_MACHINE\\Software\\Acme3",
                                                               number_of_subkeys="2"), "integer property"),
    ("x509-certificate", "is-self-signed-string", dict(is_self_signed="yes"), "boolean property"),
    ("x509-certificate", "exponent-string", dict(serial_number="02", subject_public_key_exponent="65537"),
     "integer property"),
]
for t, slug, props, note in SCO_INVALID:
    case("invalid-%s-%s" % (t, slug), sco(t, **props), note)

case("invalid-ipv4-addr-defanged-string", put(SCO_MINIMAL["ipv4-addr"], defanged="true"), "defanged is boolean")
case("invalid-ipv4-addr-object-marking-refs-empty", put(SCO_MINIMAL["ipv4-addr"], object_marking_refs=[]),
     "empty list")
case("invalid-ipv4-addr-granular-marking-absent-selector",
     put(SCO_MINIMAL["ipv4-addr"], granular_markings=[{"marking_ref": TLP_GREEN_REF,
                                                       "selectors": ["resolves_to_refs"]}]),
     "selector for a property the SCO does not have")

# 17b. versioned SCOs (section 3.6) and reserved names (section 3.8) -----------------------------------
_versioned = {"type": "ipv4-addr", "spec_version": "2.1", "id": None, "value": "192.0.2.44",
              "created_by_ref": IDENTITY_REF,
              "created": CREATED, "modified": MODIFIED, "revoked": False}
case("valid-ipv4-addr-versioned", put(_versioned, id="ipv4-addr--" + u4("versioned-sco")),
     "a versioned SCO (section 3.6) whose id does not use the default SCO namespace", keep_id=True)
case("invalid-ipv4-addr-versioned-default-namespace",
     put(_versioned, id="ipv4-addr--%s" % uuid.uuid5(STIX_SCO_NAMESPACE, canonical({"value": "192.0.2.44"}))),
     "producers versioning SCOs MUST NOT use the default namespace for the id (section 3.6)", keep_id=True)
for prop in ["severity", "action", "username", "phone_number"]:
    case("invalid-identity-reserved-property-" + prop.replace("_", "-"), setp(MINIMAL["identity"], prop, "x"),
         "reserved property names MUST NOT be present (section 3.8)")
case("invalid-attack-pattern-capec-bad-external-id",
     put(MINIMAL["attack-pattern"], external_references=[{"source_name": "capec", "external_id": "163"}]),
     "a CAPEC id MUST be formatted CAPEC-[id] (section 4.1)")
case("invalid-vulnerability-cve-bad-external-id",
     put(MINIMAL["vulnerability"], external_references=[{"source_name": "cve", "external_id": "CVE-21-44228"}]),
     "a CVE id MUST be formatted CVE-YYYY-NNNN (section 4.19)")

# 18. Custom object types -----------------------------------------------------------------------------------
for slug, t in [("uppercase", "X-Acme-Widget"), ("double-hyphen", "x-acme--widget"), ("too-short", "xa"),
                ("underscore", "x_acme_widget")]:
    case("invalid-custom-object-type-" + slug,
         {"type": t, "spec_version": "2.1", "id": "%s--%s" % (t, u4("custom-type:" + slug)),
          "created": CREATED, "modified": MODIFIED, "widget_name": "W"},
         "custom object type %r breaks section 11.2.1" % t, keep_id=True)
case("invalid-custom-object-bad-property-name",
     {"type": "x-acme-widget", "spec_version": "2.1", "id": sid("x-acme-widget", "bad-prop"),
      "created": CREATED, "modified": MODIFIED, "widgetName": "W"},
     "custom object property names are lowercase (section 11.2.1)", keep_id=True)
case("invalid-custom-object-missing-created",
     {"type": "x-acme-widget", "spec_version": "2.1", "id": sid("x-acme-widget", "no-created"),
      "modified": MODIFIED, "widget_name": "W"},
     "a custom SDO-like object (has modified) without created", keep_id=True)


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"), help="corpus directory")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for fname in os.listdir(args.out):
        if fname.endswith(".json"):
            os.remove(os.path.join(args.out, fname))
    manifest = {}
    for name, content, expect, note in CASES:
        if isinstance(content, str):
            text = content
        else:
            text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
        with open(os.path.join(args.out, name + ".json"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        manifest[name] = {"expect": expect, "note": note}
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
    n_valid = sum(1 for c in CASES if c[2] == "valid")
    print("wrote %d cases (%d valid, %d invalid) to %s" % (len(CASES), n_valid, len(CASES) - n_valid, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
