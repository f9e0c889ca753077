#!/usr/bin/env bash
# Runs every PatchDeck test on a Debian 12 machine as root, installing what the tests need:
# static checks (types, lint, format), vitest (unit, integration, contract, renderer) and the
# Playwright end-to-end suite in Debian's Chromium. Ends with one line of totals.
set -uo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
export CI="${CI:-true}"
results=test-results
mkdir -p "$results"

log() { printf '\n== %s\n' "$*"; }

# --- what the tests need from Debian -------------------------------------------------------
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
fc-list 2>/dev/null | grep -qi 'dejavu' || need+=(fonts-dejavu-core)
# rpm's own version ordering is the oracle of the RPM version tests.
command -v rpm >/dev/null 2>&1 || need+=(rpm)
/usr/bin/python3 -c 'import rpm' >/dev/null 2>&1 || need+=(python3-rpm)
# The lab's SSH hosts (tests/lab): sshd and sudo inside each host, nmap for discovery tests.
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v sudo >/dev/null 2>&1 || need+=(sudo)
command -v nmap >/dev/null 2>&1 || need+=(nmap)
command -v rpmbuild >/dev/null 2>&1 || need+=(rpm)
# CMDB import tests open real spreadsheets saved by LibreOffice, and craft hostile ones with zip.
command -v libreoffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
# Bundle tests build real .deb files (dpkg-deb) and inspect archives with ar; media tests use
# an ext4 image on a loop device.
command -v ar >/dev/null 2>&1 || need+=(binutils)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
command -v ss >/dev/null 2>&1 || need+=(iproute2)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || {
    echo "Could not install ${need[*]} with apt-get; install them and run again." >&2
    exit 1
  }
fi
# Lab hosts listen on 127.0.0.x:22; the machine's own sshd (which openssh-server's install may
# start) must not hold port 22. Stop only the PID it recorded.
if [ -s /run/sshd.pid ] && [ "$(cat "/proc/$(cat /run/sshd.pid)/comm" 2>/dev/null)" = sshd ]; then
  kill "$(cat /run/sshd.pid)"
fi

# --- node dependencies and the build -------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "PatchDeck needs Node.js 20.19 or later (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error || exit 1
fi
log "build"
npm run build --silent || exit 1

passed=0 failed=0 skipped=0 status=0

# --- static checks, counted as one runner ---------------------------------------------------
log "static checks"
for check in typecheck lint format; do
  if npm run "$check" --silent >"$results/$check.log" 2>&1; then
    echo "  ✓ $check"
    passed=$((passed + 1))
  else
    echo "  ✗ $check"
    cat "$results/$check.log"
    failed=$((failed + 1))
    status=1
  fi
done

# --- vitest -----------------------------------------------------------------------------------
log "vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || status=1

# --- playwright -------------------------------------------------------------------------------
log "playwright"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" \
  npx playwright test --project=browser --reporter=list,json || status=1

# --- totals -----------------------------------------------------------------------------------
read -r vp vf vs pp pf ps < <(node -e '
  const fs = require("fs");
  const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
  const v = read(process.argv[1]);
  const p = read(process.argv[2]);
  const vitest = v ? [v.numPassedTests, v.numFailedTests + (v.success === false && v.numFailedTests === 0 ? 1 : 0), v.numPendingTests + v.numTodoTests] : [0, 1, 0];
  const pw = p ? [p.stats.expected + p.stats.flaky, p.stats.unexpected + (p.errors?.length ?? 0), p.stats.skipped] : [0, 1, 0];
  console.log([...vitest, ...pw].join(" "));
' "$results/vitest.json" "$results/playwright.json")
echo
echo "static checks: $passed passed, $failed failed"
echo "vitest: $vp passed, $vf failed, $vs skipped"
echo "playwright: $pp passed, $pf failed, $ps skipped"
passed=$((passed + vp + pp))
failed=$((failed + vf + pf))
skipped=$((vs + ps))
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
