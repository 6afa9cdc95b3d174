#!/usr/bin/env bash
# The playground's tests: the UI's pure modules (packet builder, session links) with vitest,
# then the built site (dist/) in Debian's headless Chromium driven by playwright-core
# (tests/browser/), then the same tests in Debian's headless Firefox ESR (over WebDriver BiDi).
# Builds what is missing first; screenshots go to build-browser/screenshots/ (Firefox's to
# build-browser/screenshots-firefox/), measurements (wasm size, time to first program, time per
# step) to build-browser/measurements.json (measurements-firefox.json).
# The C editor's test (tests/browser/editor.test.mjs) starts the compile service
# (tools/compile_service/) and needs clang and libbpf-dev (tools/install-deps.sh installs them).
# Usage: bash tools/test-browser.sh   (as root or with sudo, on Debian 12)
# BPFPLAY_FIREFOX=1: install firefox-esr if missing and run the Firefox pass (the default);
# BPFPLAY_FIREFOX=auto: run it only if firefox-esr is installed; BPFPLAY_FIREFOX=0: Chromium only.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
FIREFOX_PASS="${BPFPLAY_FIREFOX:-1}"
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium (Debian)"
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
if [ "$FIREFOX_PASS" = 1 ] && [ ! -x /usr/bin/firefox-esr ]; then
    echo "== installing firefox-esr (Debian)"
    $SUDO apt-get install -y -qq --no-install-recommends firefox-esr >/dev/null
fi

bash tools/web-build.sh
echo "== unit tests (vitest)"
npx vitest run --config web/vite.config.ts
echo "== compile service rules (node:test)"
node --test tests/compile_service/
echo "== browser tests (chromium, headless)"
rm -rf build-browser/screenshots build-browser/screenshots-firefox
mkdir -p build-browser/screenshots
node --test --test-concurrency=1 tests/browser/
echo "screenshots: build-browser/screenshots/"
if [ "$FIREFOX_PASS" != 0 ] && [ -x /usr/bin/firefox-esr ]; then
    echo "== browser tests (firefox-esr $(/usr/bin/firefox-esr --version | grep -o '[0-9][0-9.]*esr'), headless, WebDriver BiDi)"
    BPFPLAY_BROWSER=firefox node --test --test-concurrency=1 tests/browser/
    echo "screenshots: build-browser/screenshots-firefox/"
elif [ "$FIREFOX_PASS" != 0 ]; then
    echo "== browser tests (firefox): skipped, /usr/bin/firefox-esr is not installed"
fi
