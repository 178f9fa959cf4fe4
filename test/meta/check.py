#!/usr/bin/env python3
"""META.json: valid against PGXN's meta-spec 1.0.0 (pgxn-meta-1.0.0.schema.json),
and true to the repository: the version of the distribution and of every
extension it provides is ctaudience.control's default_version, every file
named exists, and CHANGELOG.md has an entry for the version.  Prints TAP;
exits non-zero on any failure.  Run from the repository root."""
import json
import os
import re
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
results = []


def check(ok, what):
    results.append(ok)
    print(("ok" if ok else "not ok") + " %d - %s" % (len(results), what))


meta = json.load(open("META.json"))
schema = json.load(open(os.path.join(here, "pgxn-meta-1.0.0.schema.json")))
errors = sorted(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
                .iter_errors(meta), key=str)
for e in errors:
    print("# %s: %s" % ("/".join(map(str, e.absolute_path)) or "(top)", e.message))
check(not errors, "META.json is valid PGXN meta-spec 1.0.0")

control = open("ctaudience.control").read()
version = re.search(r"^default_version\s*=\s*'([^']+)'", control, re.M).group(1)
check(meta.get("version") == version, "META.json version %s is the control file's %s" % (meta.get("version"), version))
for name, ext in meta.get("provides", {}).items():
    check(ext.get("version") == version, "extension %s is version %s" % (name, version))
    for key in ("file", "docfile"):
        if key in ext:
            check(os.path.exists(ext[key]), "%s of %s exists: %s" % (key, name, ext[key]))
changelog = open("CHANGELOG.md").read()
check(re.search(r"^## \[?%s\]?" % re.escape(version), changelog, re.M) is not None,
      "CHANGELOG.md has an entry for %s" % version)

# the schema must refuse what the spec refuses, or it checks nothing
for broken, what in ((dict(meta, version="1.0"), "a version that is not SemVer"),
                     ({k: v for k, v in meta.items() if k != "provides"}, "no provides"),
                     (dict(meta, license="wtfpl"), "an unknown license"),
                     (dict(meta, **{"meta-spec": {"version": "2.0.0"}}), "another meta-spec")):
    check(not jsonschema.Draft202012Validator(schema).is_valid(broken), "the schema refuses " + what)

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
