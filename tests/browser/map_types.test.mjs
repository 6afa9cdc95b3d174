// Browser tests of the map panel on the queue/stack, LPM trie and bloom filter examples: entries
// named by core's labels (a prefix, a pop position) and the map's summary line, in the browser
// BPFPLAY_BROWSER picks (page_harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from './page_harness.mjs';

let h, page, consoleErrors, shot, andWait, openExample;

before(async () => {
  h = await openHarness();
  ({ page, consoleErrors, shot, andWait, openExample } = h);
});

after(async () => {
  await h?.close();
});

const packetLength = async () => Number(/^(\d+) bytes/.exec(await page.textContent('#packet-summary'))[1]);
const cell = (row, i) => row.locator('td').nth(i).locator('code').first();

test('a queue and a stack list their values in pop order, labelled, with a summary', async () => {
  await openExample('xdp_queue_stack.o');
  const fifo = page.locator('section[data-map="fifo"]');
  const lifo = page.locator('section[data-map="lifo"]');
  assert.equal(await fifo.locator('.map-summary').textContent(), '0 of 3 values, listed in pop order: first in, first out');
  // The example's input is a UDP packet: its length is pushed into both maps.
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_PASS/);
  const len = String(await packetLength());
  const qrow = fifo.locator('tbody tr');
  assert.equal(await qrow.count(), 1);
  assert.equal(await cell(qrow, 0).textContent(), '#0 (front: popped next)');
  assert.equal(await cell(qrow, 1).textContent(), len);
  assert.equal(await fifo.locator('.map-summary').textContent(), '1 of 3 values, listed in pop order: first in, first out');
  const srow = lifo.locator('tbody tr');
  assert.equal(await cell(srow, 0).textContent(), '#0 (top: popped next)');
  assert.equal(await lifo.locator('.map-summary').textContent(), '1 of 3 values, listed in pop order: last in, first out');
  await shot('60-queue-and-stack');
  assert.deepEqual(consoleErrors, []);
});

test('an LPM route added as a C key shows as a prefix, and the program counts on it', async () => {
  await openExample('xdp_lpm_router.o');
  const routes = page.locator('section[data-map="routes"]');
  // A default route (0.0.0.0/0) that drops: every IPv4 packet falls under it.
  await routes.locator('textarea[aria-label="new key for routes"]').fill('{"prefixlen": 0, "addr": 0}');
  await routes.locator('textarea[aria-label="new value for routes"]').fill('{"action": 1, "id": 7}');
  await andWait(() => routes.locator('.map-add button.save').click());
  const row = routes.locator('tr[data-key="0000000000000000"]');
  assert.equal(await cell(row, 0).textContent(), '0.0.0.0/0');
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_DROP/);
  assert.equal(await cell(row, 1).textContent(), `{"action":1,"id":7,"packets":1,"bytes":${await packetLength()}}`);
  await shot('61-lpm-route');
  assert.deepEqual(consoleErrors, []);
});

test('a bloom filter shows no entries, only its bits', async () => {
  await openExample('xdp_bloom_filter.o');
  const seen = page.locator('section[data-map="seen"]');
  await andWait(() => page.click('#btn-continue'));
  assert.equal(await seen.locator('tbody tr').count(), 0);
  assert.equal(await seen.locator('.map-summary').textContent(),
    '1 of 64 bits set; 1 hash function, seed 0 (BPF_F_ZERO_SEED); peek says "maybe present" only when all of a value\'s bits are set');
  assert.deepEqual(consoleErrors, []);
});

test('a ring buffer lists its records by number and bytes used, with no entry editor', async () => {
  await openExample('xdp_ringbuf.o');
  const events = page.locator('section[data-map="events"]');
  await andWait(() => page.click('#btn-continue'));
  // The SYN preset: one 16-byte struct syn_event record (an 8-byte header before it).
  assert.match(await events.locator('.map-head').textContent(), /ringbuf · 1 record · max_entries 4096/);
  assert.equal(await events.locator('.map-summary').textContent(), '24 of 4096 bytes used');
  const row = events.locator('tbody tr');
  assert.equal(await row.count(), 1);
  assert.equal(await cell(row, 0).textContent(), 'record 0 (16 bytes)');
  assert.equal(await events.locator('.map-add').count(), 0);
  assert.equal(await row.locator('button').count(), 0);
  assert.deepEqual(consoleErrors, []);
});
