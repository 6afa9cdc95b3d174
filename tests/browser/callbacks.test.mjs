// Browser tests of callbacks: a bpf_for_each_map_elem / bpf_loop callback's frame in the call
// list, and a BPF timer's callback run from the toolbar once the program armed it. In the
// browser BPFPLAY_BROWSER picks (page_harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from './page_harness.mjs';

let h, page, shot, andWait, openExample;

before(async () => {
  h = await openHarness();
  ({ page, shot, andWait, openExample } = h);
});

after(async () => {
  await h?.close();
});

test('the armed timer\'s callback runs from the toolbar as a run of its own', async () => {
  await openExample('xdp_timer.o');
  assert.equal(await page.isHidden('#btn-timer'), true, 'no timer before the program ran');
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_PASS/);
  // The example's UDP packet armed the timer (a TCP one would cancel it).
  await page.waitForSelector('#btn-timer', { state: 'visible' });
  assert.match(await page.getAttribute('#btn-timer', 'title'), /^1 armed BPF timer; the next fires at \d+ ns/);
  await andWait(() => page.click('#btn-timer'));
  assert.match(await page.textContent('#status'), /^timer callback at insn 44 \(array map "timers"\) · pc 44/);
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /r0 = 0x0 \(0\) after 7 instructions$/);
  assert.equal(await page.isHidden('#btn-timer'), true, 'the timer fired: nothing armed any more');
  await shot('40-timer-callback');
});

test('a bpf_for_each_map_elem callback is a frame named by the helper and the element', async () => {
  await openExample('xdp_callbacks.o');
  // Step until the first callback frame appears (the call of bpf_for_each_map_elem).
  for (let i = 0; i < 80; ++i) {
    if ((await page.$$('.frame')).length > 1) break;
    await andWait(() => page.click('#btn-step'));
  }
  const frames = await page.$$eval('.frame', (els) => els.map((e) => e.textContent));
  assert.equal(frames.length, 2);
  assert.match(frames[0], /^#1 visit_flow \(bpf_for_each_map_elem: element 1 of 1\) at insn 133/);
  await andWait(() => page.click('#btn-step-back'));
  assert.equal((await page.$$('.frame')).length, 1, 'stepping back leaves the callback');
});
