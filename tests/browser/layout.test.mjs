// The page's layout at 1024x700 and 1400x900, measured by element boxes (and screenshotted): the
// header and the step buttons keep to one row each; the status line stays in its place whatever
// it says; a short window's program pane shows a useful part of the listing; the current line
// after Continue (and at a breakpoint) lies wholly inside the pane, with its C line; a newly
// opened example shows its first C line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from './page_harness.mjs';

let h;

before(async () => {
  h = await openHarness();
});

after(async () => {
  await h?.close();
});

const box = (page, selector) => page.locator(selector).first().boundingBox();
const inside = (b, pane) => b.y >= pane.y - 0.5 && b.y + b.height <= pane.y + pane.height + 0.5;

// Where the status line and the panes are, and how wide the page is (a long status made it
// wider than the window in Firefox, and a scroll bar lifted the bottom bar): none of it may
// change when the status text changes.
async function placeOfStatus(page) {
  const [status, controls, code] = await Promise.all([box(page, '#status'), box(page, '#controls'), box(page, '#code')]);
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  return { statusX: status.x, statusY: status.y, controlsHeight: controls.height, codeY: code.y, pageWidth };
}

// After a step the explain box under the code fills in (a round trip to the worker) and changes
// the code's height: measure once it shows the current instruction and the page has laid out.
async function settled(page) {
  const pc = await page.$eval('.insn.current', (e) => e.dataset.pc);
  await page.waitForFunction((p) => document.querySelector('#explain')?.dataset.pc === p, pc);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return pc;
}

// The current instruction and its C line (the row right above it) lie wholly inside the code pane.
async function assertCurrentShown(page, what) {
  const pc = await settled(page);
  const pane = await box(page, '#code');
  const row = await box(page, '.insn.current');
  assert.ok(inside(row, pane), `${what}: current line (pc ${pc}) ${JSON.stringify(row)} inside the pane ${JSON.stringify(pane)}`);
  const above = await page.$eval('.insn.current', (e) => e.previousElementSibling?.className ?? '');
  if (above.includes('src-line')) {
    const src = await page.locator('.insn.current').locator('xpath=preceding-sibling::*[1]').boundingBox();
    assert.ok(inside(src, pane), `${what}: the C line of pc ${pc} is shown too`);
  }
}

// The listing's rows wholly inside the code pane: instructions, and those with their C lines.
const visibleRows = (page) => page.$eval('#code', (code) => {
  const pane = code.getBoundingClientRect();
  const shown = (e) => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top >= pane.top && r.bottom <= pane.bottom; };
  const insns = [...code.querySelectorAll('.insn:not(.second-slot)')].filter(shown).length;
  return { insns, lines: insns + [...code.querySelectorAll('.src-line')].filter(shown).length };
});

for (const [width, height] of [[1024, 700], [1400, 900]]) {
  test(`layout at ${width}x${height}: one-row header and buttons, a fixed status line, the current line in view`, async () => {
    const { page, url, shot, andWait, consoleErrors } = h;
    await page.setViewportSize({ width, height });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await settled(page);

    // One row each: Share link sits on the example picker's row, Reset on Continue's.
    const [example, share, cont, reset] = await Promise.all(['#example-select', '#btn-share', '#btn-continue', '#btn-reset'].map((s) => box(page, s)));
    assert.ok(Math.abs(share.y + share.height / 2 - (example.y + example.height / 2)) < 4, `Share link on the header's row: ${JSON.stringify({ example, share })}`);
    assert.equal(reset.y, cont.y, 'the step buttons keep to one row');

    // The program pane of a short window shows a useful part of the listing.
    const rows = await visibleRows(page);
    assert.ok(rows.lines >= 12 && rows.insns >= 7, `rows of the listing in view: ${JSON.stringify(rows)}`);
    await shot(`90-layout-start-${width}x${height}`);

    // The status line keeps its place: after a step, at the program's exit (a longer text),
    // and after Reset. Continue's last line, exit, is the listing's last: it is wholly in view.
    const start = await placeOfStatus(page);
    assert.ok(start.pageWidth <= width, `the page is no wider than the window: ${start.pageWidth}`);
    await andWait(() => page.click('#btn-step'));
    await settled(page);
    assert.deepEqual(await placeOfStatus(page), start, 'after a step');
    await andWait(() => page.click('#btn-continue'));
    assert.match(await page.textContent('#status'), /^exited: r0 = 1 \(XDP_DROP\) · 47 executed · stopped: exit$/);
    await assertCurrentShown(page, 'after Continue');
    assert.deepEqual(await placeOfStatus(page), start, 'at the exit');
    await shot(`91-layout-continue-${width}x${height}`);

    // A breakpoint in the middle of the run: Continue stops there with the line wholly in view.
    const hit = await page.$$eval('.insn', (rows) => rows.filter((r) => Number(r.querySelector('.hits')?.textContent || 0) > 0).map((r) => Number(r.dataset.pc)));
    const middle = hit[Math.floor(hit.length * 0.6)];
    await andWait(() => page.click('#btn-reset'));
    assert.deepEqual(await placeOfStatus(page), start, 'after Reset');
    await page.click(`.insn[data-pc="${middle}"] .gutter`);
    await page.waitForSelector(`.insn[data-pc="${middle}"].bp`);
    await andWait(() => page.click('#btn-continue'));
    assert.equal(await page.$eval('.insn.current', (e) => Number(e.dataset.pc)), middle);
    await assertCurrentShown(page, `at the breakpoint on ${middle}`);
    assert.deepEqual(await placeOfStatus(page), start, 'at a breakpoint');

    // A newly opened example starts at its first C line (the last one was scrolled down).
    await page.selectOption('#example-select', 'xdp_lru_conntrack.o');
    await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'xdp_lru_conntrack.o');
    await page.waitForSelector('body[data-ready="true"]');
    await settled(page);
    const pane = await box(page, '#code');
    for (const first of ['#code .fn-head', '#code .src-line', '.insn.current']) {
      const b = await box(page, first);
      assert.ok(inside(b, pane), `${first} of the new example in view: ${JSON.stringify({ b, pane })}`);
    }
    assert.deepEqual(await placeOfStatus(page), start, 'with another example');
    await shot(`92-layout-new-example-${width}x${height}`);
    assert.deepEqual(consoleErrors, []);
  });
}
