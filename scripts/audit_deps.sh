#!/usr/bin/env bash
# Dependency audit: every package installed in the project's environment, checked by pip-audit
# against its vulnerability database (the PyPI JSON API by default; `-s osv` for OSV).
#
#   bash scripts/audit_deps.sh [pip-audit options]
#
# Exit 0: every dependency audited, no known vulnerability. 1: vulnerabilities (listed).
# 3: the database could not be reached, so nothing or not everything was audited (said in one
# line; a mirror of the package index without the JSON API looks like this: every package "not
# found on PyPI"). Kept out of scripts/test.sh: its answer depends on a network service and on
# the day's advisories, not on this repository alone.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${SCOREGATE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -e '.[test]'
fi
"$VENV/bin/python" -m pip_audit --version >/dev/null 2>&1 || "$VENV/bin/pip" install -q 'pip-audit>=2.7,<3'

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
status=0
"$VENV/bin/python" -m pip_audit --skip-editable --progress-spinner off -f json -o "$report" "$@" || status=$?
if [ ! -s "$report" ]; then
    echo "audit_deps: pip-audit stopped before writing a report (exit $status): its database is probably unreachable from here" >&2
    exit 3
fi
"$VENV/bin/python" - "$report" "$status" <<'PY'
import json
import sys

report, status = json.load(open(sys.argv[1])), int(sys.argv[2])
deps = report["dependencies"]
unreached = [d["name"] for d in deps if "not found on PyPI" in d.get("skip_reason", "")]
vulnerable = [d for d in deps if d.get("vulns")]
audited = [d for d in deps if "skip_reason" not in d]
for d in vulnerable:
    for v in d["vulns"]:
        fixes = ", ".join(v.get("fix_versions", [])) or "no fixed version yet"
        print(f"{d['name']} {d['version']}: {v['id']} (fixed in {fixes})")
print(f"audit_deps: {len(audited)} packages audited, {len(vulnerable)} with known vulnerabilities, "
      f"{len(unreached)} not found in the database")
if vulnerable:
    sys.exit(1)
if unreached:
    print(f"audit_deps: the vulnerability database did not answer for {len(unreached)} of {len(deps)} packages "
          f"({', '.join(unreached[:5])}{', ...' if len(unreached) > 5 else ''}): not audited", file=sys.stderr)
    sys.exit(3)
sys.exit(status)
PY
