#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine or an existing checkout:
# installs the system tools the tests use (when missing), installs npm dependencies, then lints,
# runs the demo (which builds), typechecks, generates the API reference, and runs vitest. Ends with one plain line "N passed, N failed[, N skipped]".
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools the tests talk to: openssl (key and signature interop), the CNCF distribution
# registry (docker-registry), skopeo (a second OCI client) and htpasswd (apache2-utils, for the
# registry's Basic-auth mode).
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run --silent lint
# README's first command, exactly as a new user runs it: builds the package, then runs the whole
# reference workflow (exits non-zero if any step misbehaves). Building first also lets the
# typecheck see examples/ import the package by name, against the declarations users get.
npm run --silent demo
npm run --silent typecheck
# The API reference (typedoc into docs/api); any warning, e.g. a public type left unexported, fails.
npm run --silent docs:api

report=.vitest-report.json
rm -f "$report"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A test file that fails to load (a syntax error, a throwing import) has no failed test of its
    // own: count each such file as one failure, so it can never pass unnoticed.
    const unloaded = (r.testResults ?? []).filter(
      (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
    ).length;
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + unloaded} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$report"
else
  echo "0 passed, 1 failed"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
