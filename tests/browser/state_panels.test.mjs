// Browser tests of the state panes: map entries edited as C values, the live packet (changed
// bytes, header fields, a watchpoint from a selection, the context struct) and the stack of
// any frame, in the browser BPFPLAY_BROWSER picks (page_harness.mjs).
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

const changedBytes = (dump) => page.$$eval(`${dump} .byte.changed`, (els) => els.map((e) => [Number(e.dataset.i), e.textContent]));
const currentPc = () => page.$eval('.insn.current', (e) => Number(e.dataset.pc));

test('a struct value added and edited as a C value: errors inline, the program counts on from it', async () => {
  await openExample('xdp_proto_count.o');
  const map = page.locator('section[data-map="proto_stats"]');
  // The example's input is an IPv4 UDP packet: the program counts it under key 17 (IPPROTO_UDP).
  const len = Number(/^(\d+) bytes/.exec(await page.textContent('#packet-summary'))[1]);
  await map.locator('textarea[aria-label="new key for proto_stats"]').fill('17');
  await map.locator('textarea[aria-label="new value for proto_stats"]').fill('{"packets": 100, "bytes": 1000}');
  await andWait(() => map.locator('.map-add button.save').click());
  const row = map.locator('tr[data-key="11000000"]');
  assert.equal(await row.locator('td').nth(1).locator('code').textContent(), '{"packets":100,"bytes":1000}');
  assert.equal((await row.locator('td').nth(1).locator('.bytes').textContent()).trim(),
    '64 00 00 00 00 00 00 00 e8 03 00 00 00 00 00 00');

  await row.locator('button', { hasText: 'Edit' }).click();
  const editor = row.locator('textarea');
  assert.equal(await editor.inputValue(), '{"packets":100,"bytes":1000}', 'the editor opens with the value as JSON');
  await editor.fill('{"packets": -1, "bytes": 1000}');
  await row.locator('button.save').click();
  const err = row.locator('.map-edit-error');
  await err.waitFor({ state: 'visible' });
  assert.equal(await err.textContent(), 'value.packets: -1 does not fit in __u64 (0 to 18446744073709551615)');
  await shot('30-map-c-value-error');
  await editor.fill('{"packets": 41, "bytes": 2000, "foo": 1}');
  await row.locator('button.save').click();
  await page.waitForFunction(() => /unknown field "foo"/.test(document.querySelector('tr[data-key="11000000"] .map-edit-error')?.textContent ?? ''));
  assert.equal(await err.textContent(), 'value: unknown field "foo" (struct proto_stats has packets, bytes)');

  await editor.fill('{"packets": 41, "bytes": 2000}');
  await andWait(() => row.locator('button.save').click());
  await page.waitForSelector('tr[data-key="11000000"] textarea', { state: 'detached' });
  assert.equal(await row.locator('td').nth(1).locator('code').textContent(), '{"packets":41,"bytes":2000}');
  await shot('31-map-c-value-edited');

  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_PASS/);
  assert.equal(await row.locator('td').nth(1).locator('code').textContent(), `{"packets":42,"bytes":${2000 + len}}`,
    'the program read the edited value and added this packet to it');
  await shot('32-map-after-run');
});

test('a per-CPU value edited on one CPU, with a u64 past 2^53 kept exact', async () => {
  await openExample('xdp_percpu_stats.o');
  const row = page.locator('section[data-map="stats"] tr[data-key="00000000"]');
  await row.locator('button', { hasText: 'Edit' }).click();
  assert.equal(await row.locator('textarea').count(), 4, 'one editor per emulated CPU');
  await row.locator('textarea[aria-label="value of cpu1 as a C value"]').fill('{"rx_packets": "18446744073709551615", "drops_ttl": 3}');
  await andWait(() => row.locator('button.save').click());
  await page.waitForSelector('section[data-map="stats"] tr[data-key="00000000"] textarea', { state: 'detached' });
  const values = () => row.locator('.map-value code').allTextContents();
  assert.deepEqual(await values(), [
    '{"rx_packets":0,"rx_bytes":0,"drops_ttl":0,"drops_runt":0}',
    '{"rx_packets":"18446744073709551615","rx_bytes":0,"drops_ttl":3,"drops_runt":0}',
    '{"rx_packets":0,"rx_bytes":0,"drops_ttl":0,"drops_runt":0}',
    '{"rx_packets":0,"rx_bytes":0,"drops_ttl":0,"drops_runt":0}',
  ]);
  assert.equal((await row.locator('.map-value .bytes').nth(1).textContent()).trim(),
    'ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00');
  // Reopening the editor shows the exact value again (not a rounded double).
  await row.locator('button', { hasText: 'Edit' }).click();
  assert.match(await row.locator('textarea[aria-label="value of cpu1 as a C value"]').inputValue(), /"rx_packets": ?"18446744073709551615"/);
  await row.locator('button', { hasText: 'Cancel' }).click();
  await andWait(() => page.click('#btn-continue'));
  const after = await values();
  assert.match(after[0], /^\{"rx_packets":1,"rx_bytes":\d+,/, 'the run counted on CPU 0');
  assert.equal(after[1], '{"rx_packets":"18446744073709551615","rx_bytes":0,"drops_ttl":3,"drops_runt":0}');
  await shot('39-percpu-value-edited');
  // The add form sets one value on every CPU.
  const map = page.locator('section[data-map="stats"]');
  await map.locator('textarea[aria-label="new key for stats"]').fill('0');
  await map.locator('textarea[aria-label="new value for stats (every CPU)"]').fill('{"drops_runt": 7}');
  await andWait(() => map.locator('.map-add button.save').click());
  assert.deepEqual(await values(), Array(4).fill('{"rx_packets":0,"rx_bytes":0,"drops_ttl":0,"drops_runt":7}'));
});

test('the packet pane shows the bytes the program rewrites, names fields, watches a selection', async () => {
  await openExample('xdp_tail_call.o', 'xdp_dispatcher');
  await page.selectOption('#packet-preset', 'IPv4 ICMP echo');
  await andWait(() => page.click('#apply-input'));
  assert.match(await page.textContent('#packet-summary'), /^\d+ bytes as the program sees them now\./);
  assert.equal(await page.textContent('#packet-dump .byte[data-i="34"]'), '08', 'ICMP echo request');
  assert.equal(await page.getAttribute('#packet-dump .byte[data-i="23"]', 'title'), 'IPv4 protocol = 1 (ICMP) (byte 23)');
  assert.match(await page.getAttribute('#packet-dump .byte[data-i="25"]', 'title'), /^IPv4 check = 0x[0-9a-f]{4} \(bytes 24–25\)$/);
  // The context struct by name, from core's field table.
  assert.equal(await page.textContent('#context-fields h3'), 'Context: struct xdp_md');
  const len = Number(/^(\d+) bytes/.exec(await page.textContent('#packet-summary'))[1]);
  assert.deepEqual(await page.$$eval('#context-fields tr', (rows) => rows.map((r) => r.textContent)),
    ['data→ packet+0', `data_end→ packet+${len}`, 'data_meta→ packet+0 (no metadata)', 'ingress_ifindex1',
      'rx_queue_index0', 'egress_ifindex0']);
  // Each field's description from core's table, as its row's tooltip.
  assert.equal(await page.getAttribute('#context-fields tr[data-field="ingress_ifindex"]', 'title'),
    'the ifindex of the device the packet arrived on (offset 12, 4 bytes)');

  // Click the ICMP type byte: its field is selected; watch it.
  await page.click('#packet-dump .byte[data-i="34"]');
  assert.equal(await page.textContent('#packet-field'), 'Selected: ICMP type = 8 (byte 34)');
  assert.equal(await page.textContent('#packet-watch'), 'Watch byte 34');
  await page.click('#packet-watch');
  await page.waitForSelector('#watch-list li.watch');
  assert.match(await page.textContent('#watch-list li.watch .watch-label'), /packet\[34\.\.35\)/);
  const checksumBefore = await page.$$eval('#packet-dump .byte[data-i="36"], #packet-dump .byte[data-i="37"]', (els) => els.map((e) => e.textContent).join(''));
  await shot('33-packet-selection-watched');

  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#status'), /watchpoint/);
  assert.deepEqual(await changedBytes('#packet-dump'), [[34, '00']], 'the store of icmp->type = ICMP_ECHOREPLY');
  assert.match(await page.textContent('#packet-summary'), /the last step wrote 1 byte \(marked\)/);
  // The MACs were swapped before: 02:00:00:00:00:01 is now the destination.
  assert.equal(await page.getAttribute('#packet-dump .byte[data-i="5"]', 'title'), 'Ethernet h_dest = 02:00:00:00:00:01 (bytes 0–5)');
  await shot('34-packet-type-rewritten');

  // Step to the checksum update: exactly its two bytes are marked, 0x0800 higher.
  for (let i = 0; i < 20 && !(await changedBytes('#packet-dump')).some(([b]) => b === 36); i++) await andWait(() => page.click('#btn-step'));
  const changed = await changedBytes('#packet-dump');
  assert.deepEqual(changed.map(([i]) => i), [36, 37]);
  const expected = (parseInt(checksumBefore, 16) + 0x0800) % 0xffff;
  assert.equal(changed.map(([, t]) => t).join(''), expected.toString(16).padStart(4, '0'));
  await shot('35-packet-checksum-rewritten');
  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#result'), /XDP_TX/);
});

test('the stack of any frame: pick a caller in the call stack and watch its bytes', async () => {
  await openExample('bpf2bpf_calls.o');
  await page.fill('#packet-hex', '02000000000202000000000108004500002100014000401126c90a0000010a0000020035ea60000da5697265706c79');
  await andWait(() => page.click('#apply-input'));
  await page.click('.insn[data-pc="58"] .gutter');  // in describe(): info->sport = sport
  await page.waitForSelector('.insn[data-pc="58"].bp');
  await andWait(() => page.click('#btn-continue'));
  assert.equal(await currentPc(), 58);
  assert.deepEqual(await page.$$eval('#call-stack li', (els) => els.map((e) => e.textContent.replace(/ \S+\.c:\d+$/, ''))),
    ['#1 describe at insn 58', '#0 xdp_bpf2bpf at insn 41']);
  assert.equal(await page.textContent('#stack-title'), 'Stack of frame #1 describe (current)');
  await shot('36-stack-current-frame');

  // The caller's frame: info lives at fp-16 there.
  await page.click('#call-stack li[data-depth="0"]');
  assert.equal(await page.textContent('#stack-title'), 'Stack of frame #0 xdp_bpf2bpf');
  assert.ok(await page.$('#call-stack li[data-depth="0"].picked'));
  const fp12 = '#stack-dump .byte[data-i="500"]';  // fp-12 = 512 - 12
  assert.equal(await page.getAttribute(fp12, 'title'), 'fp-12 of frame #0');
  await page.click(fp12);
  await page.click('#stack-dump .byte[data-i="501"]', { modifiers: ['Shift'] });
  assert.equal(await page.textContent('#stack-watch'), 'Watch fp-12 (2 bytes) of frame #0');
  await page.click('#stack-watch');
  await page.waitForFunction(() => /fp-12 of frame 0 \(2 bytes\)/.test(document.querySelector('#watch-list')?.textContent ?? ''));
  await shot('37-stack-caller-frame-watch');

  await andWait(() => page.click('#btn-continue'));
  assert.match(await page.textContent('#status'), /watchpoint #\d+ \(fp-12 of frame 0 \(2 bytes\)\)/);
  assert.equal(await currentPc(), 59, 'stopped right after the store into the caller\'s frame');
  assert.equal(await page.textContent('#stack-title'), 'Stack of frame #0 xdp_bpf2bpf', 'the picked frame stays shown');
  assert.deepEqual(await changedBytes('#stack-dump'), [[500, '35'], [501, '00']], 'sport 53, little-endian');
  await shot('38-stack-caller-frame-changed');

  // A watch on the called function's own frame works too.
  await page.click('#call-stack li[data-depth="1"]');
  assert.equal(await page.textContent('#stack-title'), 'Stack of frame #1 describe (current)');
  await page.click('#stack-dump .byte[data-i="504"]');
  assert.equal(await page.textContent('#stack-watch'), 'Watch fp-8 (1 byte) of frame #1');
  await page.click('#stack-watch');
  await page.waitForFunction(() => /fp-8 of frame 1 \(1 bytes\)/.test(document.querySelector('#watch-list')?.textContent ?? ''));
  assert.equal(await page.isHidden('#stack-watch-error'), true);
  // The watch form takes a frame too.
  await page.selectOption('#watch-kind', 'stack');
  await page.fill('#watch-offset', '16');
  await page.fill('#watch-length', '4');
  await page.fill('#watch-frame', '1');
  await page.click('#watch-add');
  await page.waitForFunction(() => /fp-16 of frame 1 \(4 bytes\)/.test(document.querySelector('#watch-list')?.textContent ?? ''));
  await page.fill('#watch-frame', '9');
  await page.click('#watch-add');
  await page.waitForSelector('#watch-error:not([hidden])');
  assert.equal(await page.textContent('#watch-error'), 'there is no frame 9');
  await shot('40-stack-watches-on-two-frames');
  assert.deepEqual(consoleErrors, []);
});

test('the explain box: the current instruction in words with its values, a helper call\'s arguments, a clicked one', async () => {
  await openExample('xdp_proto_count.o');
  const explainedPc = () => page.$eval('#explain', (e) => Number(e.dataset.pc));
  await page.waitForFunction(() => document.querySelector('#explain')?.dataset.pc === '0');
  assert.equal(await page.textContent('#explain .explain-pc'), 'now at 0');
  assert.equal(await page.textContent('#explain .explain-text'), 'r8 = *(u32 *)(r1 + 0)');
  assert.equal(await page.textContent('#explain-summary'), 'Load 4 bytes from memory at r1 into r8, zero-extended to 64 bits.');
  assert.equal(await page.textContent('#explain-values'), 'r1 is ctx+0 (data); r8 becomes packet+0');

  // Step to the map lookup (pc 28): the helper, its arguments as the kernel names them, their values now.
  for (let i = 0; i < 40 && (await currentPc()) !== 28; i++) await andWait(() => page.click('#btn-step'));
  assert.equal(await currentPc(), 28);
  await page.waitForFunction(() => document.querySelector('#explain')?.dataset.pc === '28');
  assert.match(await page.textContent('#explain-helper'), /^bpf_map_lookup_elem \(helper 1\)void \*bpf_map_lookup_elem\(struct bpf_map \*map, const void \*key\)/);
  assert.deepEqual(await page.$$eval('#explain-helper tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent))), [
    ['r1', 'struct bpf_map * map', 'the map (an lddw of the map loads its address)', 'map proto_stats'],
    ['r2', 'const void * key', 'a pointer to a key: the map\'s key_size bytes', 'fp-4 (frame 0): 11 00 00 00'],
  ]);
  assert.match(await page.textContent('#explain-helper'), /Returns: Map value associated to key, or NULL if no entry was found\./);
  await shot('41-explain-helper-call');

  // A click on another instruction's text explains it (without values: it is not the current one).
  await page.click('#code .insn[data-pc="3"] .text');
  await page.waitForFunction(() => document.querySelector('#explain')?.dataset.pc === '3');
  assert.equal(await page.textContent('#explain .explain-pc'), 'instruction 3');
  assert.equal(await page.textContent('#explain-summary'), 'Add 14 to r1.');
  assert.equal(await page.isVisible('#explain-values'), false);
  assert.equal(await page.getAttribute('#code .insn[data-pc="3"]', 'class'), 'insn selected');
  assert.equal(await currentPc(), 28, 'explaining does not move the program');
  // The next step explains the current instruction again.
  await andWait(() => page.click('#btn-step'));
  await page.waitForFunction(() => document.querySelector('#explain')?.dataset.pc === '29');
  assert.equal(await explainedPc(), await currentPc());
  assert.equal(await page.textContent('#explain .explain-pc'), 'now at 29');
  assert.deepEqual(consoleErrors, []);
});
