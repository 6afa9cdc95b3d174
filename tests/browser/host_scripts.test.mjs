// Browser tests of the host scripts under the input: a scenario of host events played through
// bootstrap.c's exec/exit tracepoints, and a TCP flow through tcp_ca_reno.c's congestion
// control. The console's lines are the ones `bpfvm run OBJ --scenario` and `bpfvm run OBJ
// --host` with a tcp_flow print. In the browser BPFPLAY_BROWSER picks (page_harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openHarness } from './page_harness.mjs';

let h, page, consoleErrors, shot, openExample;

before(async () => {
  h = await openHarness();
  ({ page, consoleErrors, shot, openExample } = h);
});

after(async () => {
  await h?.close();
});

// bootstrap.h's struct event as the ring buffer's reader gets it (168 bytes): pid, ppid,
// exit_code, 4 bytes of padding, duration_ns, comm[16], filename[127], exit_event.
function bootstrapEvent({ pid, ppid = 1, exitCode = 0, durationNs = 0n, comm, filename = '', exit = false }) {
  const b = new Uint8Array(168);
  const v = new DataView(b.buffer);
  v.setInt32(0, pid, true);
  v.setInt32(4, ppid, true);
  v.setUint32(8, exitCode, true);
  v.setBigUint64(16, durationNs, true);
  b.set(new TextEncoder().encode(comm), 24);
  b.set(new TextEncoder().encode(filename), 40);
  b[167] = exit ? 1 : 0;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

const scriptLines = () => page.$$eval('#script-log .script-line', (els) =>
  els.map((e) => [e.querySelector('.tag')?.textContent ?? '', e.textContent.slice((e.querySelector('.tag')?.textContent ?? '').length)]));

// Clicks a script's button and waits for its output in the console, or for core's error.
async function play(button) {
  const state = () => page.evaluate(() => [document.querySelector('#script-log')?.dataset.shown ?? '0',
    document.querySelectorAll('#messages .msg.error').length]);
  const [shown, errors] = await state();
  await page.click(button);
  await page.waitForFunction(([s, e]) => (document.querySelector('#script-log')?.dataset.shown ?? '0') !== s
    || document.querySelectorAll('#messages .msg.error').length !== e, [shown, errors], { timeout: 20000 });
}

test("bootstrap.o: core's default scenario: two execs and two exits, each with its ring buffer record, among events it has no program for", async () => {
  await openExample('bootstrap.o');
  assert.equal(await page.isVisible('#scenario-script'), true);
  assert.equal(await page.isVisible('#tcp-flow-script'), false);
  // The editor starts with core's default scenario (Playground.default_scenario_json).
  assert.equal(await page.inputValue('#scenario-json'), [
    '{',
    '  "events": [',
    '    {"exec": "/usr/bin/ls", "pid": 4243, "comm": "ls", "after_ns": 0},',
    '    {"exec": "/usr/bin/cat", "pid": 4244, "comm": "cat", "after_ns": 1000000},',
    '    {"open": "/etc/ld.so.cache", "pid": 4243, "flags": "O_RDONLY|O_CLOEXEC", "mode": 0, "fd": 3, "after_ns": 200000},',
    '    {"open": "/etc/shadow", "pid": 4244, "flags": "O_RDONLY", "mode": 0, "error": 13, "after_ns": 300000},',
    '    {"switch": 4244, "pid": 4243, "prev_state": "S", "after_ns": 500000},',
    '    {"wakeup": 4243, "pid": 4244, "after_ns": 500000},',
    '    {"switch": 4243, "pid": 4244, "prev_state": "R", "after_ns": 500000},',
    '    {"exit": 4243, "status": 0, "after_ns": 500000},',
    '    {"exit": 4244, "status": 1, "after_ns": 500000}',
    '  ]',
    '}',
  ].join('\n'));
  await play('#btn-scenario');
  assert.equal(await page.textContent('#script-log .script-title'), 'scenario: 9 events');
  // ppid 1: the host's current task's parent. The durations: 3.5 ms and 3 ms of virtual time,
  // plus the instructions the runs between took (bpf_ktime_get_ns moves with them).
  assert.deepEqual(await scriptLines(), [
    ['event', 'event 1 at 1000000000 ns: exec: pid 4243 (ls) runs /usr/bin/ls'],
    ['run', 'handle_exec: return 0 (60 instructions)'],
    ['ringbuf', `rb: record of 168 bytes => ${bootstrapEvent({ pid: 4243, comm: 'ls', filename: '/usr/bin/ls' })}`],
    ['event', 'event 2 at 1001000060 ns: exec: pid 4244 (cat) runs /usr/bin/cat'],
    ['run', 'handle_exec: return 0 (60 instructions)'],
    ['ringbuf', `rb: record of 168 bytes => ${bootstrapEvent({ pid: 4244, comm: 'cat', filename: '/usr/bin/cat' })}`],
    // bootstrap.c has no program on the opens, switches and the wakeup: they list no runs.
    ['event', 'event 3 at 1001200120 ns: open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3'],
    ['event', 'event 4 at 1001500120 ns: open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13'],
    ['event', 'event 5 at 1002000120 ns: switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs'],
    ['event', 'event 6 at 1002500120 ns: wakeup: pid 4244 (cat) wakes pid 4243 (ls)'],
    ['event', 'event 7 at 1003000120 ns: switch: pid 4244 (cat) is preempted (R), pid 4243 (ls) runs'],
    ['event', 'event 8 at 1003500120 ns: exit: pid 4243 (ls) with status 0'],
    ['run', 'handle_exit: return 0 (72 instructions)'],
    ['ringbuf', `rb: record of 168 bytes => ${bootstrapEvent({ pid: 4243, comm: 'ls', durationNs: 3500127n, exit: true })}`],
    ['event', 'event 9 at 1004000192 ns: exit: pid 4244 (cat) with status 1'],
    ['run', 'handle_exit: return 0 (72 instructions)'],
    ['ringbuf', `rb: record of 168 bytes => ${bootstrapEvent({ pid: 4244, comm: 'cat', exitCode: 1, durationNs: 3000139n, exit: true })}`],
  ]);
  await shot('70-scenario-bootstrap');
  assert.deepEqual(consoleErrors, []);
});

test('bootstrap.o: a scenario the user wrote plays as written; a bad one is refused by core, by event', async () => {
  await openExample('bootstrap.o');
  await page.fill('#scenario-json', '{"events": [{"exec": "/usr/bin/curl", "pid": 900}, {"exit": 900, "status": 3, "after_ns": 1000}]}');
  await play('#btn-scenario');
  assert.deepEqual(await scriptLines(), [
    ['event', 'event 1 at 1000000000 ns: exec: pid 900 (curl) runs /usr/bin/curl'],
    ['run', 'handle_exec: return 0 (60 instructions)'],
    ['ringbuf', `rb: record of 168 bytes => ${bootstrapEvent({ pid: 900, comm: 'curl', filename: '/usr/bin/curl' })}`],
    ['event', 'event 2 at 1000001060 ns: exit: pid 900 (curl) with status 3'],
    ['run', 'handle_exit: return 0 (72 instructions)'],
    ['ringbuf', `rb: record of 168 bytes => ${bootstrapEvent({ pid: 900, comm: 'curl', exitCode: 3, durationNs: 1067n, exit: true })}`],
  ]);
  await page.fill('#scenario-json', '{"events": [{"exit": 77}]}');
  await play('#btn-scenario');
  await page.waitForSelector('#scenario-json.invalid');
  // Core's message, and its hint: the script's form by example.
  assert.deepEqual(await page.$eval('#messages .msg.error', (el) =>
    [el.querySelector('b')?.textContent, el.childNodes[1]?.textContent, el.querySelector('.hint')?.textContent]), [
    'Scenario: ', 'scenario: event 1: no earlier exec started pid 77',
    '{"events": [{"exec": "/usr/bin/ls", "pid": 4243}, {"open": "/etc/passwd"}, {"exit": 4243, "status": 0, "after_ns": 2500000}]}',
  ]);
  // The last stream stays until another plays; the default comes back at a click.
  assert.equal((await scriptLines()).length, 6);
  await page.click('#btn-scenario-default');
  assert.match(await page.inputValue('#scenario-json'), /^\{\n {2}"events": \[\n {4}\{"exec": "\/usr\/bin\/ls"/);
  assert.equal(await page.$eval('#scenario-json', (el) => el.classList.contains('invalid')), false);
  await shot('71-scenario-error');
  assert.deepEqual(consoleErrors, []);
});

test("tcp_ca_reno.o: core's default TCP flow, cwnd and ssthresh after each step", async () => {
  await openExample('tcp_ca_reno.o');
  assert.equal(await page.isVisible('#tcp-flow-script'), true);
  assert.equal(await page.isVisible('#scenario-script'), false);
  assert.match(await page.inputValue('#tcp-flow-json'), /^\{\n {2}"rtt_us": 10000,\n/);
  await play('#btn-tcp-flow');
  assert.equal(await page.textContent('#script-log .script-title'), 'TCP flow through bpf_reno: 536 member calls, 9842 instructions');
  const rows = await page.$$eval('#tcp-flow tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  // The default host's socket starts at cwnd 10 with no ssthresh (TCP_INFINITE_SSTHRESH): slow
  // start doubles cwnd each round trip; the fast retransmit halves it (Reno's ssthresh), one
  // more segment per round after; the RTO starts again from 1 up to half of 161.
  assert.deepEqual(rows, [
    ['step', 'time_us', 'snd_cwnd', 'snd_ssthresh', 'ca_state', 'in_flight', 'calls'],
    ['start', '0', '10', '2147483647', 'Open', '10', ''],
    ['round 1', '10000', '20', '2147483647', 'Open', '20', 'cong_avoid x10'],
    ['round 2', '20000', '40', '2147483647', 'Open', '40', 'cong_avoid x20'],
    ['round 3', '30000', '80', '2147483647', 'Open', '80', 'cong_avoid x40'],
    ['round 4', '40000', '160', '2147483647', 'Open', '160', 'cong_avoid x80'],
    ['round 5', '50000', '320', '2147483647', 'Open', '320', 'cong_avoid x160'],
    ['fast_retransmit', '50000', '320', '160', 'Recovery', '320', 'ssthresh'],
    ['round 6', '60000', '160', '160', 'Open', '160', 'cong_avoid'],
    ['round 7', '70000', '161', '160', 'Open', '161', 'cong_avoid x160'],
    ['rto', '70000', '1', '80', 'Loss', '1', 'ssthresh'],
    ['round 8', '80000', '2', '80', 'Loss', '2', 'cong_avoid'],
    ['round 9', '90000', '4', '80', 'Loss', '4', 'cong_avoid x2'],
    ['round 10', '100000', '8', '80', 'Loss', '8', 'cong_avoid x4'],
    ['round 11', '110000', '16', '80', 'Loss', '16', 'cong_avoid x8'],
    ['round 12', '120000', '32', '80', 'Loss', '32', 'cong_avoid x16'],
    ['round 13', '130000', '64', '80', 'Loss', '64', 'cong_avoid x32'],
    ['end', '130000', '64', '80', 'Loss', '64', ''],
  ]);
  await shot('72-tcp-flow-reno');

  // Two round trips from the start, then an RTO: cwnd 40 -> ssthresh 20, cwnd 1.
  await page.fill('#tcp-flow-json', '{"rtt_us": 2000, "steps": [{"rounds": 2}, {"loss": "rto"}]}');
  await play('#btn-tcp-flow');
  const short = await page.$$eval('#tcp-flow tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 6).map((c) => c.textContent).join(' ')));
  assert.deepEqual(short, [
    'start 0 10 2147483647 Open 10', 'round 1 2000 20 2147483647 Open 20', 'round 2 4000 40 2147483647 Open 40',
    'rto 4000 1 20 Loss 1', 'end 4000 1 20 Loss 1',
  ]);
  // A new object clears the last script's output.
  await openExample('bootstrap.o');
  assert.equal(await page.$eval('#script-log', (el) => el.childElementCount), 0);
  assert.deepEqual(consoleErrors, []);
});
