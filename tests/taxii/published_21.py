#!/usr/bin/env python3
"""Check that everything a built site publishes as STIX is STIX 2.1, as consumers read it.

    published_21.py SITE_DIR [--sample N] [--seed S]

Reads every STIX object the static tree of SITE_DIR holds: the TAXII object pages of every
collection (`taxii2/<root>/collections/<cid>/objects/index.json` and `next/*.json`), the shared
object files (`taxii2/<root>/objects/<id>.json`) and the feeds' bundles
(`feeds/bundles/*.json`). Each distinct object text is checked once:

- it carries `spec_version: "2.1"`;
- `stix2.parse(obj, version="2.1", allow_custom=True)` accepts it (every object);
- stix2-validator 3.2.0 finds it valid as STIX 2.1 (`validate_instance(obj,
  ValidationOptions(version="2.1"))`, each object alone: inside a bundle without
  `spec_version` the validator would read an object without one as STIX 2.0). The validator
  checks about 320 objects a second, so it runs on a deterministic sample of N objects
  (default 3000, chosen with a seeded shuffle of the texts in sorted order) plus the first
  object of every type, and says so.

It also checks that every manifest entry's `media_type` is one the collection advertises.

Prints one JSON document: {"objects": N, "types": {...}, "validated": N, "sampled": bool,
"problems": [...]} and exits 1 when a problem was found.
"""

import argparse
import contextlib
import glob
import io
import json
import os
import random
import sys


def envelopes(site):
    """(path, document) of every TAXII objects page and shared object file."""
    for path in sorted(glob.glob(os.path.join(site, "taxii2", "*", "collections", "*", "objects", "**", "*.json"),
                                 recursive=True)):
        yield path
    for path in sorted(glob.glob(os.path.join(site, "taxii2", "*", "objects", "*.json"))):
        yield path


def published_texts(site, problems):
    texts = {}
    for path in envelopes(site):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for obj in doc.get("objects", []):
            texts.setdefault(json.dumps(obj, sort_keys=True), path)
    for path in sorted(glob.glob(os.path.join(site, "feeds", "bundles", "*.json"))):
        with open(path, encoding="utf-8") as f:
            bundle = json.load(f)
        if "spec_version" in bundle:
            problems.append(f"{path}: a STIX 2.1 bundle has no spec_version")
        for obj in bundle.get("objects", []):
            texts.setdefault(json.dumps(obj, sort_keys=True), path)
    return texts


def manifest_problems(site):
    problems = []
    for collection in sorted(glob.glob(os.path.join(site, "taxii2", "*", "collections", "*", "index.json"))):
        with open(collection, encoding="utf-8") as f:
            advertised = set(json.load(f).get("media_types", []))
        if len(advertised) != 1:
            problems.append(f"{collection}: advertises {sorted(advertised)}, not one media type")
        folder = os.path.join(os.path.dirname(collection), "manifest")
        for path in sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True)):
            with open(path, encoding="utf-8") as f:
                for entry in json.load(f).get("objects", []):
                    if entry.get("media_type") not in advertised:
                        problems.append(f"{path}: {entry.get('id')} has media_type {entry.get('media_type')!r}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()

    import stix2
    from stix2validator import ValidationOptions, validate_instance

    problems = manifest_problems(args.site)
    texts = published_texts(args.site, problems)
    types = {}
    first_of_type = []
    for text in sorted(texts):
        obj = json.loads(text)
        kind = obj.get("type")
        if kind not in types:
            first_of_type.append(text)
        types[kind] = types.get(kind, 0) + 1
        where = f"{texts[text]}: {obj.get('id')}"
        if obj.get("spec_version") != "2.1":
            problems.append(f"{where}: spec_version is {obj.get('spec_version')!r}")
        try:
            stix2.parse(obj, version="2.1", allow_custom=True)
        except Exception as e:  # the library raises many kinds
            problems.append(f"{where}: stix2.parse refuses it: {e}")

    ordered = sorted(texts)
    random.Random(args.seed).shuffle(ordered)
    chosen = set(ordered[:args.sample]) | set(first_of_type)
    options = ValidationOptions(version="2.1")
    for text in sorted(chosen):
        obj = json.loads(text)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            result = validate_instance(obj, options)
        if not result.is_valid:
            messages = "; ".join(str(e.message) for e in result.errors)
            problems.append(f"{texts[text]}: {obj.get('id')}: stix2-validator: {messages}")

    json.dump({"objects": len(texts), "types": types, "validated": len(chosen),
               "sampled": len(chosen) < len(texts), "problems": problems[:200]}, sys.stdout, indent=1)
    print()
    for problem in problems[:50]:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
