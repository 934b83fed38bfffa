#!/usr/bin/env python3
"""Agreement test: stixpress versus the OASIS reference validator.

Usage:
    compare.py STIXPRESS_BINARY [--recorded] [--validator-python PY]
               [--stixpress-output FILE] [--quiet] [--strict-known]

Runs, from the repository root,

    STIXPRESS_BINARY check --format json tests/conformance/objects/corpus

(one JSON document on stdout; exit status 0 without errors, 1 with errors).
A case is INVALID for stixpress when at least one diagnostic of severity
"error" names the case's file (compared by basename); otherwise it is VALID.

The reference verdicts come from stix2-validator 3.2.0:
  * by default they are recomputed live: in this interpreter when
    stix2validator is importable, otherwise with --validator-python PY (or the
    STIX2_VALIDATOR_PYTHON environment variable), e.g. /tmp/vvenv/bin/python;
  * with --recorded they are read from reference.json.

Every disagreement is printed (case, both verdicts, both messages).  A
disagreement on a case listed in known-differences.txt (format:
case-name<TAB>reason) is tolerated; any other disagreement makes the exit
status 1 (with --strict-known, so does a listed case on which stixpress
agrees with the validator).  The last line printed is "N passed, N failed".

Exit status: 0 all agree (up to known differences), 1 disagreement(s),
2 usage / environment problem (binary failed, validator missing, ...).
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CORPUS_REL = "tests/conformance/objects/corpus"
REPOSITORY_CODES = {"conflicting-versions", "created-changed", "missing-reference", "revoked-reference",
                    "relationship-pair"}
CORPUS_DIR = os.path.join(HERE, "corpus")


def die(msg):
    sys.stderr.write("compare.py: %s\n" % msg)
    sys.exit(2)


def corpus_cases():
    return sorted(f[:-5] for f in os.listdir(CORPUS_DIR) if f.endswith(".json"))


def load_known():
    path = os.path.join(HERE, "known-differences.txt")
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                die("%s:%d: expected 'case-name<TAB>reason'" % (path, lineno))
            case, reason = line.split("\t", 1)
            known[case.strip()] = reason.strip()
    return known


def load_expectations():
    path = os.path.join(HERE, "cases.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    return {}


def reference_results(args):
    if args.recorded:
        path = os.path.join(HERE, "reference.json")
        if not os.path.exists(path):
            die("reference.json not found (run reference.py)")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh), "stix2-validator (recorded reference.json)"
    try:
        import stix2validator  # noqa: F401
    except ImportError:
        python = args.validator_python or os.environ.get("STIX2_VALIDATOR_PYTHON")
        if not python:
            die("stix2validator is not importable here; pass --validator-python /path/to/venv/bin/python "
                "(pip install stix2-validator==3.2.0) or use --recorded")
        proc = subprocess.run([python, os.path.join(HERE, "reference.py"), "--out", "-"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            die("reference.py failed under %s:\n%s" % (python, proc.stderr))
        return json.loads(proc.stdout), "stix2-validator (live, %s)" % python
    sys.path.insert(0, HERE)
    import reference
    return reference.validate_corpus(CORPUS_DIR), "stix2-validator %s (live)" % reference.validator_version()


def stixpress_results(args, cases):
    if args.stixpress_output:
        with open(args.stixpress_output, encoding="utf-8") as fh:
            text = fh.read()
        rc = None
    else:
        binary = args.binary
        if os.sep in binary or (os.altsep and os.altsep in binary):
            binary = os.path.abspath(binary)
        # --root: the corpus folder has no stixpress.toml, so the defaults apply (a reference to an
        # object outside the one-object case file is a warning, as the reference validator has it).
        cmd = [binary, "--root", os.path.dirname(CORPUS_REL), "check", "--format", "json", CORPUS_REL]
        try:
            proc = subprocess.run(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        except OSError as exc:
            die("cannot run %s: %s" % (binary, exc))
        rc, text = proc.returncode, proc.stdout
        if rc not in (0, 1):
            die("%s exited with status %d\nstderr:\n%s" % (" ".join(cmd), rc, proc.stderr))
    try:
        doc = json.loads(text)
    except ValueError as exc:
        die("stixpress output is not one JSON document: %s\n--- output starts ---\n%s" % (exc, text[:2000]))
    if not isinstance(doc, dict) or not isinstance(doc.get("diagnostics"), list):
        die("stixpress output has no 'diagnostics' list")

    case_set = set(cases)
    verdicts = {c: {"valid": True, "errors": []} for c in cases}
    stray = []
    for d in doc["diagnostics"]:
        # Repository rules look across files (every case reuses the same TLP ids and
        # references objects of other cases); the reference validator checks one file at a time.
        if d.get("severity") != "error" or d.get("code") in REPOSITORY_CODES:
            continue
        fname = str(d.get("file") or "").replace("\\", "/").rsplit("/", 1)[-1]
        case = fname[:-5] if fname.endswith(".json") else fname
        msg = "%s: %s" % (d.get("code", "?"), d.get("message", ""))
        if d.get("pointer"):
            msg += " [at %s]" % d["pointer"]
        if case in case_set:
            verdicts[case]["valid"] = False
            verdicts[case]["errors"].append(msg)
        else:
            stray.append("%s: %s" % (d.get("file"), msg))
    n_errors = sum(1 for d in doc["diagnostics"] if d.get("severity") == "error")
    if rc is not None and (rc == 1) != (n_errors > 0):
        sys.stderr.write("warning: stixpress exit status %s does not match its %d error diagnostic(s)\n"
                         % (rc, n_errors))
    if isinstance(doc.get("files"), int) and doc["files"] != len(cases):
        sys.stderr.write("warning: stixpress checked %d files, the corpus has %d cases\n"
                         % (doc["files"], len(cases)))
    return verdicts, stray


def word(valid):
    return "valid" if valid else "INVALID"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compare stixpress with stix2-validator on the object corpus.")
    ap.add_argument("binary", metavar="STIXPRESS_BINARY")
    ap.add_argument("--recorded", action="store_true", help="use reference.json instead of running the validator")
    ap.add_argument("--validator-python", help="interpreter that can import stix2validator")
    ap.add_argument("--stixpress-output", metavar="FILE",
                    help="read a saved 'stixpress check --format json' document instead of running the binary")
    ap.add_argument("--quiet", action="store_true", help="do not print tolerated known differences")
    ap.add_argument("--strict-known", action="store_true",
                    help="also fail on a case listed in known-differences.txt on which stixpress agrees "
                         "with stix2-validator (i.e. follows the validator's deviation from the specification)")
    args = ap.parse_args(argv)

    if not os.path.isdir(CORPUS_DIR):
        die("corpus directory %s missing (run make_corpus.py)" % CORPUS_DIR)
    cases = corpus_cases()
    known = load_known()
    expect = load_expectations()
    ref, ref_name = reference_results(args)
    missing = [c for c in cases if c not in ref]
    if missing:
        die("reference has no verdict for %d case(s), e.g. %s; regenerate reference.json"
            % (len(missing), ", ".join(missing[:5])))
    for c in sorted(set(known) - set(cases)):
        sys.stderr.write("warning: known-differences.txt lists unknown case %s\n" % c)

    sp, stray = stixpress_results(args, cases)

    passed = failed = tolerated = 0
    agreeing_known = []
    for case in cases:
        a, b = sp[case], ref[case]
        if a["valid"] == b["valid"]:
            passed += 1
            if case in known:
                agreeing_known.append(case)
            continue
        is_known = case in known
        if is_known:
            passed += 1
            tolerated += 1
            if args.quiet:
                continue
            head = "KNOWN DIFFERENCE"
        else:
            failed += 1
            head = "DISAGREEMENT"
        print("%s %s: stixpress %s, %s %s%s" % (
            head, case, word(a["valid"]), "stix2-validator", word(b["valid"]),
            ("  (specification: %s)" % expect[case]["expect"]) if case in expect else ""))
        if case in expect and expect[case].get("note"):
            print("    case: %s" % expect[case]["note"])
        for m in a["errors"] or ["(no error diagnostics)"]:
            print("    stixpress: %s" % m)
        for m in b["errors"] or ["(no errors)"]:
            print("    stix2-validator: %s" % m)
        if is_known:
            print("    known: %s" % known[case])

    for s in stray:
        print("note: error diagnostic for a file that is not a corpus case: %s" % s)
    for case in agreeing_known:
        print("%s: %s is listed in known-differences.txt but stixpress agrees with stix2-validator "
              "(the specification says %s)" % ("STALE" if args.strict_known else "note", case,
                                              expect.get(case, {}).get("expect", "?")))
    agree, disagree = passed - tolerated, failed
    if args.strict_known:
        passed -= len(agreeing_known)
        failed += len(agreeing_known)
    print("compared %d cases against %s: %d agree, %d known differences tolerated, %d disagreements%s"
          % (len(cases), ref_name, agree, tolerated, disagree,
             (", %d stale known differences" % len(agreeing_known)) if args.strict_known else ""))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
