// Browser tests of what the console shows besides printk: perf event samples (what a perf
// buffer reader receives) and the host's event log, with the perf event array's readers
// edited in the map pane. In the browser BPFPLAY_BROWSER picks (page_harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from './page_harness.mjs';

let h, url, page, consoleErrors, shot, andWait, openExample;

before(async () => {
  h = await openHarness();
  ({ url, page, consoleErrors, shot, andWait, openExample } = h);
});

after(async () => {
  await h?.close();
});

const le = (n, bytes) => Array.from({ length: bytes }, (_, i) => ((n >> (8 * i)) & 0xff).toString(16).padStart(2, '0'));
const consoleLines = (tag) => page.$$eval('#run-log > div', (els, t) =>
  els.filter((e) => e.querySelector('.tag')?.textContent === t).map((e) => e.textContent.slice(t.length)), tag);

test('a perf event sample in the console is exactly what the reader gets; an empty slot gives -ENOENT', async () => {
  await openExample('xdp_perf_event.o');
  const packet = (await page.inputValue('#packet-hex')).replace(/\s+/g, '');
  const len = packet.length / 2;
  assert.ok(len > 16, `the preset packet has ${len} bytes`);
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_PASS/);
  // struct packet_summary (len, ifindex 1 = lo, ETH_P_IP, 16 packet bytes), then the packet's
  // first 16 bytes: 28 bytes, so the sample needs no padding (28 + 4 is a multiple of 8).
  const expected = [...le(len, 4), ...le(1, 4), ...le(0x0800, 2), ...le(16, 2), ...packet.slice(0, 32).match(/../g)];
  // pc 30 is the program's bpf_perf_event_output call.
  assert.deepEqual(await consoleLines('perf'), [`events, cpu 0, pc 30: 28 bytes ${expected.join(' ')}`]);
  await shot('50-perf-event-sample');

  // User space closes CPU 0's reader: the slot is empty, the call fails with -ENOENT (-2),
  // which the program counts in `failures`.
  await andWait(() => page.click('[data-map="events"] tr[data-key="00000000"] button:has-text("Delete")'));
  // A new run on the same input: maps persist between runs, as in the kernel.
  await andWait(() => page.click('#apply-input'));
  await andWait(() => page.click('#btn-continue'));
  assert.deepEqual(await consoleLines('perf'), []);
  const failures = await page.$$eval('[data-map="failures"] tbody tr', (rows) => rows.map((r) => r.textContent));
  assert.equal(failures.length, 1);
  assert.match(failures[0], /^-2/);
  await shot('51-perf-event-no-reader');
  assert.deepEqual(consoleErrors, []);
});

test('the host event log says what the kernel did: no devmap entry, then a redirect to eth1', async () => {
  // The preset is UDP to port 53: bucket 53 % 4 = 1, which tx_ports has no entry for.
  await openExample('xdp_redirect_map.o');
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /r0 = 0x2 \(2\) XDP_PASS/);
  assert.deepEqual(await consoleLines('host'), [
    'bpf_redirect_map at pc 38: devmap "tx_ports" has no entry for key 1: returns 2, the low bits of the flags',
  ]);
  assert.deepEqual(await consoleLines('packet'), ['XDP_PASS: the packet is passed up to the network stack on lo (ifindex 1)']);
  await shot('52-host-events-no-entry');

  // tx_ports[1] = 3 (eth1, a device of the emulated host), then a new run.
  await page.fill('[data-map="tx_ports"] .map-add textarea >> nth=0', '1');
  await page.fill('[data-map="tx_ports"] .map-add textarea >> nth=1', '3');
  await andWait(() => page.click('[data-map="tx_ports"] .map-add button.save'));
  await andWait(() => page.click('#apply-input'));
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /r0 = 0x4 \(4\) XDP_REDIRECT/);
  assert.deepEqual(await consoleLines('host'), [
    'bpf_redirect_map at pc 38: devmap "tx_ports" key 1 is eth1 (ifindex 3): the packet goes there if the program returns XDP_REDIRECT',
  ]);
  assert.deepEqual(await consoleLines('packet'), ['XDP_REDIRECT: the packet is sent out of eth1 (ifindex 3)']);
  await shot('53-host-events-redirect');
  assert.deepEqual(consoleErrors, []);
});

test('the kprobe example starts from its kernel case: rdi is AT_FDCWD, so printk says (dfd -100)', async () => {
  // The preset once sat one register off its case file (rdi read 0): the page printed "(dfd 0)"
  // where the CLI, run on examples/cases/kprobe_regs.json, prints "(dfd -100)".
  await openExample('kprobe_regs.o');
  await andWait(() => page.click('#btn-continue'));
  assert.deepEqual(await consoleLines('printk'), ['openat2 by bpfplay-demo:  (dfd -100)']);
  const lastOpen = await page.$$eval('[data-map="last_open"] tbody tr', (rows) => rows.map((r) => r.textContent));
  assert.equal(lastOpen.length, 1);
  assert.match(lastOpen[0], /"dfd":-100,/);
  // The preset's registers are shown in the Context tab; an XDP example has none, and the page
  // goes back to its packet (the Context tab once stayed open, emptied).
  const activeTab = () => page.$eval('#input button[role="tab"].active', (b) => b.textContent);
  assert.equal(await activeTab(), 'Context');
  // The registers by the name do_sys_openat2's prototype gives them (the kprobe's arguments).
  assert.equal(await page.inputValue('#ctx-arg-dfd'), '-100');
  assert.equal(await page.textContent('label:has(#ctx-arg-dfd) span'), 'dfd (int, in di)');
  assert.equal(await page.textContent('label:has(#ctx-arg-filename) span'), 'filename (const char *, in si)');
  // filename = the emulated task's openat path: the program now reads "/etc/hostname".
  await page.fill('#ctx-arg-filename', '0x55d0c4a03010');
  await page.dispatchEvent('#ctx-arg-filename', 'change');
  assert.match(await page.inputValue('#ctx-hex'), /10 30 a0 c4 d0 55 00 00/);
  await andWait(() => page.click('#apply-input'));
  await andWait(() => page.click('#btn-continue'));
  assert.deepEqual(await consoleLines('printk'), ['openat2 by bpfplay-demo: /etc/hostname (dfd -100)']);
  await page.selectOption('#example-select', 'xdp_drop_port.o');
  await page.waitForFunction(() => document.querySelector('#object-name')?.textContent === 'xdp_drop_port.o');
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await activeTab(), 'Packet');
  assert.equal(await page.isVisible('#ctx-hex'), false);
});
