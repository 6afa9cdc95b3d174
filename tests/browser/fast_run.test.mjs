// Browser tests of Run to end (fast): the rest of the run as WebAssembly, unrecorded. The
// console (return value, printk lines, events) must read exactly as after a recorded Continue,
// the status line says how much ran, how fast, and that stepping back stops there. In the
// browser BPFPLAY_BROWSER picks (page_harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtures, openHarness } from './page_harness.mjs';

let h, page, shot, andWait, openExample, consoleErrors;

before(async () => {
  h = await openHarness();
  ({ page, shot, andWait, openExample, consoleErrors } = h);
});

after(async () => {
  await h?.close();
});

const runLog = () => page.textContent('#run-log');
const status = () => page.textContent('#status');

// Continue (recorded) to the end, then Reset and Run to end (fast): the console must match.
async function recordedThenFast() {
  await andWait(() => page.click('#btn-continue'));
  const recorded = await runLog();
  await andWait(() => page.click('#btn-reset'));
  assert.doesNotMatch(await runLog(), /r0 =/, 'reset cleared the result');
  await andWait(() => page.click('#btn-fast'));
  assert.equal(await runLog(), recorded, 'the fast run\'s console reads as the recorded Continue\'s');
  return recorded;
}

test('Run to end (fast) on a bpf_loop example gives the recorded run\'s result and says what it cost', async () => {
  await openExample('xdp_callbacks.o');
  assert.match(await page.getAttribute('#btn-fast', 'title'), /Ctrl\+F5/);
  assert.match(await page.getAttribute('#btn-fast', 'title'), /breakpoints and watchpoints are not checked/);
  await recordedThenFast();
  assert.match(await page.textContent('#result'), /^exitr0 = 0x1 \(1\) XDP_DROP after 413 instructions$/);
  const line = await status();
  assert.match(line, /^exited: r0 = 1 \(XDP_DROP\) · 413 executed · fast run: 413 instructions in [\d.]+ ms \(([\d,]+|all) as WebAssembly\) · not recorded: step back stops here$/);
  const wasm = /\(([\d,]+|all) as WebAssembly\)/.exec(line)[1];
  assert.ok(wasm === 'all' || Number(wasm.replace(/,/g, '')) > 0, 'some of the run was WebAssembly');
  // The history before the fast run is gone: stepping back does nothing.
  await andWait(() => page.click('#btn-step-back'));
  assert.match(await status(), /^exited: r0 = 1 \(XDP_DROP\) · 413 executed · stopped: history start$/);
  await shot('50-fast-run-callbacks');
});

test('Run to end (fast) keeps printk output, and Ctrl+F5 runs it from the middle of a run', async () => {
  await openExample('trace_printk.o');
  await recordedThenFast();
  assert.match(await runLog(), /printk/);
  const result = await page.textContent('#result');
  await andWait(() => page.click('#btn-reset'));
  await andWait(() => page.click('#btn-step'));
  await andWait(() => page.click('#btn-step'));
  await andWait(() => page.keyboard.press('Control+F5'));
  assert.equal(await page.textContent('#result'), result);
  assert.match(await status(), /fast run: [\d,]+ instructions in/);
  assert.deepEqual(consoleErrors, []);
});

test('spin.o\'s 350-million-instruction loop runs to the end fast', async () => {
  await page.fill('#budget', '1000000000');
  await page.setInputFiles('#file-input', `${fixtures}/spin.o`);
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'spin.o');
  await page.waitForSelector('body[data-ready="true"]');
  const t0 = Date.now();
  await andWait(() => page.click('#btn-fast'));
  const wallMs = Date.now() - t0;
  // n = 0 + 1 + ... + 49,999,999 = 1,249,999,975,000,000 is even: XDP_DROP; 7 instructions a turn.
  assert.match(await page.textContent('#result'), /^exitr0 = 0x1 \(1\) XDP_DROP after 350000006 instructions$/);
  const line = await status();
  assert.match(line, /fast run: 350,000,006 instructions in [\d.]+ ms, [\d.]+ ns each/);
  console.log(`spin.o fast run: ${line.replace(/^.*fast run: /, '')}; click to rendered result ${wallMs} ms`);
  await shot('51-fast-run-spin');
  assert.deepEqual(consoleErrors, []);
});

test('Stop ends a fast run after its slice, and Run to end (fast) goes on from there', async () => {
  // spin.o is loaded (the test above) and ran to its end: start again, then Fast and Stop in one
  // task, so the worker reads the Stop after the first slice (10,000,000 instructions).
  await andWait(() => page.click('#btn-reset'));
  assert.equal(await page.isHidden('#btn-stop'), true);
  await page.evaluate(() => {
    document.querySelector('#btn-fast').click();
    document.querySelector('#btn-stop').click();
  });
  await page.waitForFunction(() => /fast run stopped/.test(document.querySelector('#status')?.textContent ?? ''));
  assert.match(await status(), /^pc \d+( · [^·]+)? · 10000000 executed · fast run stopped: 10,000,000 instructions in [\d.]+ ms, [\d.]+ ns each \(([\d,]+|all) as WebAssembly\) · not recorded: step back stops here$/);
  assert.equal(await page.isHidden('#btn-stop'), true, 'Stop is hidden again once the run stopped');
  await andWait(() => page.click('#btn-fast'));
  assert.match(await page.textContent('#result'), /^exitr0 = 0x1 \(1\) XDP_DROP after 350000006 instructions$/);
  assert.match(await status(), /fast run: 340,000,006 instructions in/);
  assert.deepEqual(consoleErrors, []);
});
