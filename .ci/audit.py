"""Run pip-audit over the installed environment: fail on known vulnerabilities, warn when offline.

pip-audit needs the PyPI/OSV vulnerability service; on a machine that cannot
reach it every dependency comes back "not found" — that is a warning, not a pass.
"""

import json
import subprocess
import sys

run = subprocess.run([".venv/bin/pip-audit", "--format", "json", "--progress-spinner", "off", "--skip-editable"],
                     capture_output=True, text=True, timeout=300)
try:
    report = json.loads(run.stdout or "{}")
except json.JSONDecodeError:
    print(f"WARNING: pip-audit did not run properly (exit {run.returncode}): {run.stderr.strip()[:300]}")
    sys.exit(0)
dependencies = report.get("dependencies", [])
vulnerable = [d for d in dependencies if d.get("vulns")]
skipped = [d for d in dependencies if d.get("skip_reason")]
for dep in vulnerable:
    ids = ", ".join(v["id"] for v in dep["vulns"])
    print(f"VULNERABLE: {dep['name']} {dep['version']}: {ids}")
if vulnerable:
    sys.exit(1)
if dependencies and len(skipped) == len(dependencies):
    print(f"WARNING: the vulnerability database could not be reached (offline?): {len(skipped)} dependencies "
          "were NOT audited.")
else:
    print(f"pip-audit: {len(dependencies) - len(skipped)} dependencies audited, no known vulnerabilities"
          + (f" ({len(skipped)} could not be checked)" if skipped else ""))
