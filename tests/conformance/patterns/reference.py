#!/usr/bin/env python3
"""Runs the pattern conformance corpus through the OASIS reference validator.

    python3 -m venv /tmp/pvenv && /tmp/pvenv/bin/pip install stix2-patterns==2.1.2
    /tmp/pvenv/bin/python reference.py corpus.json > reference.jsonl
    /tmp/pvenv/bin/python reference.py corpus.json --tsv expected.tsv > reference.jsonl

Prints one JSON line per corpus entry: {"index": i, "valid": bool, "error": "..."}.
With --tsv it also writes the verdicts as `version<TAB>valid<TAB>pattern` lines (tab, newline,
carriage return and backslash in the pattern escaped as \\t, \\n, \\r, \\\\), which plain
`cargo test` reads. Point STIXPRESS_PATTERN_REFERENCE at the JSON lines to have `cargo test`
compare against a live run instead.

An exception inside the validator (it has a few) counts as "invalid", with the exception as
the error.
"""

import argparse
import json
import sys

from stix2patterns.validator import validate


def verdict(pattern, version):
    try:
        valid, errors = validate(pattern, stix_version=version, ret_errs=True)
        return valid, "; ".join(errors)
    except Exception as e:  # the validator crashes on a few inputs
        return False, "exception: %r" % (e,)


def escape(field):
    return (field.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--tsv", help="also write version<TAB>valid<TAB>pattern lines here")
    args = parser.parse_args()

    with open(args.corpus, encoding="utf-8") as f:
        corpus = json.load(f)

    rows = []
    for index, entry in enumerate(corpus):
        valid, error = verdict(entry["pattern"], entry["version"])
        print(json.dumps({"index": index, "valid": valid, "error": error}))
        rows.append("%s\t%s\t%s" % (entry["version"], "true" if valid else "false",
                                    escape(entry["pattern"])))

    if args.tsv:
        with open(args.tsv, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
