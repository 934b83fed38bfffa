#!/usr/bin/env python3
"""Run the OASIS reference validator (stix2-validator) over the corpus.

Writes reference.json:

    {"<case-name>": {"valid": bool, "errors": ["...", ...]}, ...}

(sorted keys).  Only errors are recorded: stix2-validator's warnings (its
SHOULD checks) never make a case invalid.  A validator crash ("fatal") is
recorded as invalid with the message prefixed by "fatal: ".  Messages are
made machine independent (the validator's install path becomes
"<stix2validator>") and cut after 300 characters.

The validator must be importable; the pinned version is 3.2.0 (3.3.1 ships
without its JSON schemas):

    python3 -m venv /tmp/vvenv
    /tmp/vvenv/bin/pip install stix2-validator==3.2.0
    /tmp/vvenv/bin/python tests/conformance/objects/reference.py

Options:
    --corpus DIR   corpus directory (default: corpus/ next to this script)
    --out FILE     output file (default: reference.json next to this script;
                   "-" for stdout)
    --warnings     also print every case's validator warnings to stderr
"""

import argparse
import contextlib
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PINNED_VERSION = "3.2.0"


def validator_version():
    try:
        from importlib.metadata import version
        return version("stix2-validator")
    except Exception:  # pragma: no cover - metadata missing
        return "unknown"


MAX_MESSAGE = 300


def _cleaner():
    """Make validator messages machine independent: the schema dumps some
    messages contain name the install directory, and can be very long."""
    import stix2validator
    pkg = os.path.dirname(os.path.abspath(stix2validator.__file__))
    prefixes = ["file://" + pkg, pkg]

    def clean(msg):
        msg = str(msg)
        for prefix in prefixes:
            msg = msg.replace(prefix, "<stix2validator>")
        if len(msg) > MAX_MESSAGE:
            msg = msg[:MAX_MESSAGE] + "..."
        return msg
    return clean


def validate_corpus(corpus_dir, with_warnings=False):
    """Return {case: {"valid": bool, "errors": [...]}} (plus "warnings" when
    with_warnings is true) for every corpus/*.json file."""
    from stix2validator import ValidationOptions, validate_file
    clean = _cleaner()

    results = {}
    for fname in sorted(os.listdir(corpus_dir)):
        if not fname.endswith(".json"):
            continue
        case = fname[:-len(".json")]
        path = os.path.join(corpus_dir, fname)
        # The validator prints informational lines for some inputs; keep the
        # output of this script clean.
        with contextlib.redirect_stdout(io.StringIO()):
            res = validate_file(path, ValidationOptions(version="2.1"))
        errors, warnings = [], []
        for obj_res in res.object_results:
            errors.extend(clean(e) for e in obj_res.errors)
            warnings.extend(clean(w) for w in obj_res.warnings)
        if res.fatal is not None:
            errors.append(clean("fatal: %s" % res.fatal.error))
        entry = {"valid": bool(res.is_valid), "errors": errors}
        if with_warnings:
            entry["warnings"] = warnings
        results[case] = entry
    return results


def main(argv=None):
    ap = argparse.ArgumentParser(description="Record stix2-validator verdicts for the corpus.")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--out", default=os.path.join(HERE, "reference.json"))
    ap.add_argument("--warnings", action="store_true", help="print validator warnings to stderr")
    args = ap.parse_args(argv)

    try:
        import stix2validator  # noqa: F401
    except ImportError:
        sys.stderr.write("stix2-validator is not importable by %s.\n"
                         "Install it:  python3 -m venv /tmp/vvenv && "
                         "/tmp/vvenv/bin/pip install stix2-validator==%s\n"
                         "then run this script with /tmp/vvenv/bin/python.\n"
                         % (sys.executable, PINNED_VERSION))
        return 2
    ver = validator_version()
    if ver != PINNED_VERSION:
        sys.stderr.write("warning: stix2-validator %s found, the corpus is pinned to %s\n"
                         % (ver, PINNED_VERSION))

    results = validate_corpus(args.corpus, with_warnings=args.warnings)
    if args.warnings:
        for case, entry in sorted(results.items()):
            for w in entry.pop("warnings"):
                sys.stderr.write("%s: warning: %s\n" % (case, w))

    text = json.dumps(results, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    n_valid = sum(1 for e in results.values() if e["valid"])
    sys.stderr.write("stix2-validator %s: %d cases, %d valid, %d invalid\n"
                     % (ver, len(results), n_valid, len(results) - n_valid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
