// The browser the playground tests drive, chosen by BPFPLAY_BROWSER: `chromium` (the default:
// Debian's /usr/bin/chromium over CDP) or `firefox` (Debian's /usr/bin/firefox-esr over WebDriver
// BiDi). Both through playwright-core, with no browser download: Playwright's own Firefox is a
// patched build fetched by `npx playwright install`, which cannot work offline. Its `moz-firefox`
// channel instead drives an unpatched Firefox over the W3C WebDriver BiDi protocol
// (firefox.launch branches to its BiDi implementation when the channel starts with `moz-`).
import { createRequire } from 'node:module';
import { chromium, firefox } from 'playwright-core';

export const browserName = process.env.BPFPLAY_BROWSER ?? 'chromium';
if (!['chromium', 'firefox'].includes(browserName)) {
  throw new Error(`BPFPLAY_BROWSER=${browserName}: expected chromium or firefox`);
}

// Where this browser's screenshots and measurements go: Chromium's where they always were,
// Firefox's next to them with a suffix.
export const artifactSuffix = browserName === 'chromium' ? '' : `-${browserName}`;

export async function launchBrowser() {
  if (browserName === 'chromium') {
    return chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }
  tolerateMissingMediaOverride();
  return firefox.launch({
    channel: 'moz-firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    firefoxUserPrefs: {
      // No network here: nothing should try (captive portal, telemetry, safe browsing).
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'browser.safebrowsing.update.enabled': false,
    },
  });
}

// playwright-core 1.65 sends `emulation.setMediaFeaturesOverride` (added to WebDriver BiDi in
// 2026) when it creates every browser context, even when it overrides nothing
// (prefers-color-scheme: null). Firefox ESR 153 does not implement that command and answers
// "unknown command", so newPage() fails. When, and only when, Firefox refuses that command and the
// request overrode no media feature, the answer becomes "success": asking a browser that cannot
// override media features not to override them is already true. Any real override (a test asking
// for dark mode, say) still fails as Firefox said. This wraps playwright-core's in-process
// WebSocket transport, the object its BiDi connection reads from.
let tolerating = false;
function tolerateMissingMediaOverride() {
  if (tolerating) return;
  tolerating = true;
  const require = createRequire(import.meta.url);
  const { WebSocketTransport } = require('playwright-core/lib/coreBundle').server;
  const proto = WebSocketTransport?.prototype;
  if (!proto?.send || Object.getOwnPropertyDescriptor(proto, 'onmessage')) {
    throw new Error('playwright-core changed: its WebSocketTransport is not what launch.mjs wraps');
  }
  const send = proto.send;
  proto.send = function (message) {
    const features = message?.params?.features;
    if (message?.method === 'emulation.setMediaFeaturesOverride' && features &&
        Object.values(features).every((v) => v === null || v === undefined)) {
      (this.noOpMediaOverrides ??= new Set()).add(message.id);
    }
    return send.call(this, message);
  };
  Object.defineProperty(proto, 'onmessage', {
    configurable: true,
    get() { return this.wrappedOnmessage; },
    set(handler) {
      this.wrappedOnmessage = handler && ((message) => {
        const pending = this.noOpMediaOverrides;
        if (pending?.has(message?.id)) {
          pending.delete(message.id);
          if (message.type === 'error' && message.error === 'unknown command') {
            message = { type: 'success', id: message.id, result: {} };
          }
        }
        return handler(message);
      });
    },
  });
}
