#!/usr/bin/env bash
# The playground's tests: the UI's pure modules (packet builder, session links) with vitest,
# then the built site (dist/) in Debian's headless Chromium driven by playwright-core
# (tests/browser/). Builds what is missing first; screenshots go to build-browser/screenshots/,
# measurements (wasm size, time to first program, time per step) to build-browser/measurements.json.
# Usage: bash tools/test-browser.sh   (as root or with sudo, on Debian 12)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium (Debian)"
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

bash tools/web-build.sh
echo "== unit tests (vitest)"
npx vitest run --config web/vite.config.ts
echo "== browser tests (chromium, headless)"
rm -rf build-browser/screenshots && mkdir -p build-browser/screenshots
node --test --test-concurrency=1 tests/browser/
echo "screenshots: build-browser/screenshots/"
