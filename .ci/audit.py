#!/usr/bin/env python3
"""`make audit`: audit the installed (pinned) environment for known vulnerabilities.

Runs pip-audit over the project's virtual environment (the editable simkyc itself is
skipped) against a vulnerability service (``AUDIT_SERVICE``: ``pypi``, the default, or
``osv``). Offline-tolerant: an air-gapped shop server cannot reach either service, so an
unreachable service is reported in one line and the audit exits 0 (``AUDIT_STRICT=1``
makes it exit 3 instead). Exit 1 when a vulnerability is found, listing each with its
fix versions. Packages the service does not know (private or mirrored builds) are counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

VENV = Path(os.environ.get("VENV", ".venv"))
NETWORK_ERRORS = ("ConnectionError", "NameResolutionError", "Max retries exceeded",
                  "Temporary failure in name resolution", "timed out")


def main() -> int:
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    cmd = [str(VENV / "bin" / "pip-audit"), "--local", "--skip-editable", "--format", "json",
           "--progress-spinner", "off", "--vulnerability-service", service]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError:
        print(f"audit: pip-audit is not installed in {VENV} (run `make install`)",
              file=sys.stderr)
        return 2
    except subprocess.TimeoutExpired:
        return offline(service, "no answer within 900 s")
    if proc.returncode not in (0, 1) or not proc.stdout.strip().startswith("{"):
        if any(e in proc.stderr for e in NETWORK_ERRORS):
            return offline(service, proc.stderr.strip().splitlines()[-1][:200])
        print(f"audit: pip-audit failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}",
              file=sys.stderr)
        return 2
    report = json.loads(proc.stdout)
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "vulns" in d]
    skipped = [d for d in deps if "vulns" not in d]
    if deps and not audited:
        # Every package unknown: the service answers but knows none of these builds.
        print(f"audit: {service} knows none of the {len(skipped)} installed packages "
              "(builds from a private mirror?); nothing could be audited", file=sys.stderr)
        return 3 if os.environ.get("AUDIT_STRICT") else 0
    found = [(d["name"], d["version"], v) for d in audited for v in d["vulns"]]
    for name, version, v in found:
        fixes = ", ".join(v.get("fix_versions") or []) or "no fixed release"
        print(f"{name} {version}: {v['id']} (fixed in: {fixes})")
    print(f"audit: {len(audited)} packages audited against {service}, {len(skipped)} could not "
          f"be (not on the service), {len(found)} known vulnerabilities", file=sys.stderr)
    return 1 if found else 0


def offline(service: str, why: str) -> int:
    print(f"audit: skipped, the {service} vulnerability service is unreachable ({why}); "
          "run `make audit` where it is reachable", file=sys.stderr)
    return 3 if os.environ.get("AUDIT_STRICT") else 0


if __name__ == "__main__":
    sys.exit(main())
