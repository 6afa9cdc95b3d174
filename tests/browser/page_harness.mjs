// What every browser test file sets up: the built site (dist/) served on a free localhost port,
// the browser launch.mjs picks (BPFPLAY_BROWSER), one 1440x900 page that records console errors,
// and the helpers that wait for the page to render a snapshot. Screenshots go to
// build-browser/screenshots/ (screenshots-firefox/ for Firefox).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { artifactSuffix, launchBrowser } from './launch.mjs';
import { serve } from './static_server.mjs';
import { startCompileService } from '../../tools/compile_service/server.mjs';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const dist = process.env.BPFPLAY_DIST ?? `${repo}dist`;
export const shots = `${repo}build-browser/screenshots${artifactSuffix}`;
export const fixtures = `${repo}tests/browser/fixtures`;

// Call from node:test's before(); close() from after(). compile: also start the C editor's
// compile service (tools/compile_service/), reached through the site's /api/ as in the playground.
export async function openHarness({ compile = false } = {}) {
  await mkdir(shots, { recursive: true });
  const api = {};
  const { server, url } = await serve(dist, 0, '127.0.0.1', api);
  let compileService;
  if (compile) {
    compileService = await startCompileService({ pagePorts: [server.address().port] });
    api.port = compileService.port;
  }
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  const shot = (name) => page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
  const snapshots = async () => Number((await page.getAttribute('body', 'data-snapshots')) ?? '0');
  // Runs `action` and waits until the page has rendered the snapshot it produced.
  const andWait = async (action) => {
    const before = await snapshots();
    await action();
    await page.waitForFunction((n) => Number(document.body.dataset.snapshots ?? '0') > n, before, { timeout: 20000 });
  };
  // A fresh page with a bundled example loaded (and a program of it picked), ready to step.
  const openExample = async (file, program) => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.selectOption('#example-select', file);
    await page.waitForFunction((f) => document.querySelector('#object-name')?.textContent === f, file);
    await page.waitForSelector('body[data-ready="true"]');
    if (program) {
      await page.selectOption('#program-select', program);
      await page.waitForSelector('body[data-ready="true"]');
    }
  };
  const close = async () => {
    await browser.close();
    server.close();
    await compileService?.close();
  };
  return { server, url, compileService, browser, page, consoleErrors, shot, snapshots, andWait, openExample, close };
}
