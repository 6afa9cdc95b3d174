// The host scripts' reports as core writes them (tests/contract/scenario_report.json and
// tcp_flow_report.json, checked against core by tests/contract/contract_test.cpp), decoded and
// put in the console's words: the lines bpfvm prints for the same runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, mismatches, parseCoreJson } from './normalize';
import { scenarioLines, tcpFlowCells, tcpFlowTitle } from './host_scripts';
import { kScenarioReport, kTcpFlowReport } from './vm_types';

const core = (name: string): unknown =>
  parseCoreJson(readFileSync(new URL(`../../tests/contract/${name}`, import.meta.url), 'utf8'));

describe('contract: a scenario played through bootstrap.c', () => {
  const json = core('scenario_report.json');
  const report = decode(kScenarioReport, json);

  it('reads every event, run and record', () => {
    expect(mismatches(kScenarioReport, json)).toEqual([]);
    expect(report.events.map((e) => [e.event, e.time_ns, e.text])).toEqual([
      [1, 1000000000n, 'exec: pid 4243 (ls) runs /usr/bin/ls'],
      [2, 1001000060n, 'exec: pid 4244 (cat) runs /usr/bin/cat'],
      [3, 1001200120n, 'open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3'],
      [4, 1001500120n, 'open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13'],
      [5, 1002000120n, 'switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs'],
      [6, 1002500120n, 'wakeup: pid 4244 (cat) wakes pid 4243 (ls)'],
      [7, 1003000120n, 'switch: pid 4244 (cat) is preempted (R), pid 4243 (ls) runs'],
      [8, 1003500120n, 'exit: pid 4243 (ls) with status 0'],
      [9, 1004000192n, 'exit: pid 4244 (cat) with status 1'],
      [10, 18446744073709551615n, 'exit: pid 1 (init) killed by signal 9'],
    ]);
    expect(report.events[0]?.runs).toEqual([
      { program: 'handle_exec', timer: '', return: 0n, instructions: 60, printk: [], perf_events: [], host_events: [] },
    ]);
    const rec = report.events[0]?.records[0];
    expect(rec).toMatchObject({ map: 'rb', size: 168, type: '', decoded: '' });
    expect(rec?.hex).toHaveLength(336);
    expect(rec?.hex.startsWith('9310000001000000')).toBe(true);
    // The hand-made step: every field set.
    const [timer, failed] = report.events[9]?.runs ?? [];
    expect(timer).toEqual({
      program: 'on_timer', timer: 'timer callback at insn 40, map "timers"', return: -1n, instructions: 12, printk: ['bye 9\n'],
      perf_events: [{ map: 'events', cpu: 1, data: '01020304', executed: 9, pc: 7 }],
      host_events: [{ executed: 3, pc: 2, helper: 'bpf_send_signal', text: 'signal 9 to pid 1' }],
    });
    expect(failed?.return).toBeUndefined();
    expect(failed?.error).toBe('insn 2: out-of-bounds read of 4 bytes');
    expect(report.events[9]?.records[0]).toMatchObject({ map: 'rb', size: 20, type: 'struct trace_event_raw_sched_process_exec' });
  });

  it('says it in the lines bpfvm run --scenario prints', () => {
    // Up to event 9, `bpfvm run public/examples/bootstrap.o --scenario default`'s lines.
    const lines = scenarioLines(report).map((l) => [l.tag, l.depth, l.text]);
    expect(lines).toEqual([
      ['event', 0, 'event 1 at 1000000000 ns: exec: pid 4243 (ls) runs /usr/bin/ls'],
      ['run', 1, 'handle_exec: return 0 (60 instructions)'],
      ['ringbuf', 1, 'rb: record of 168 bytes => 9310000001000000000000000000000000000000000000006c7300000000000000000000000000002f7573722f62696e2f6c73000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'],
      ['event', 0, 'event 2 at 1001000060 ns: exec: pid 4244 (cat) runs /usr/bin/cat'],
      ['run', 1, 'handle_exec: return 0 (60 instructions)'],
      ['ringbuf', 1, 'rb: record of 168 bytes => 941000000100000000000000000000000000000000000000636174000000000000000000000000002f7573722f62696e2f6361740000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'],
      ['event', 0, 'event 3 at 1001200120 ns: open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3'],
      ['event', 0, 'event 4 at 1001500120 ns: open: pid 4244 (cat) opens /etc/shadow (O_RDONLY): error -13'],
      ['event', 0, 'event 5 at 1002000120 ns: switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs'],
      ['event', 0, 'event 6 at 1002500120 ns: wakeup: pid 4244 (cat) wakes pid 4243 (ls)'],
      ['event', 0, 'event 7 at 1003000120 ns: switch: pid 4244 (cat) is preempted (R), pid 4243 (ls) runs'],
      ['event', 0, 'event 8 at 1003500120 ns: exit: pid 4243 (ls) with status 0'],
      ['run', 1, 'handle_exit: return 0 (72 instructions)'],
      ['ringbuf', 1, 'rb: record of 168 bytes => 931000000100000000000000000000005f683500000000006c7300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001'],
      ['event', 0, 'event 9 at 1004000192 ns: exit: pid 4244 (cat) with status 1'],
      ['run', 1, 'handle_exit: return 0 (72 instructions)'],
      ['ringbuf', 1, 'rb: record of 168 bytes => 941000000100000001000000000000004bc72d0000000000636174000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001'],
      ['event', 0, 'event 10 at 18446744073709551615 ns: exit: pid 1 (init) killed by signal 9'],
      ['run', 1, 'timer callback at insn 40, map "timers": return -1 (12 instructions)'],
      ['printk', 2, 'bye 9'],
      ['perf', 2, 'events, cpu 1, pc 7: 4 bytes 01 02 03 04'],
      ['host', 2, 'bpf_send_signal at pc 2: signal 9 to pid 1'],
      ['run', 1, 'handle_exit: error: insn 2: out-of-bounds read of 4 bytes (3 instructions)'],
      ['ringbuf', 1, 'rb: record of 20 bytes ({"ent":{"type":0,"flags":0,"preempt_count":0,"pid":0},"__data_loc_filename":42,"pid":0,"old_pid":0,"__data":[]})'],
    ]);
    // A record without a type ends in its bytes, which the console sets apart; a decoded one does not.
    const all = scenarioLines(report);
    expect(all[2]?.bytes).toBe(report.events[0]?.records[0]?.hex);
    expect(all[2]?.text.endsWith(` => ${all[2]?.bytes ?? 'x'}`)).toBe(true);
    expect(all[all.length - 1]?.bytes).toBeUndefined();
  });
});

describe('contract: the default TCP flow through tcp_ca_reno.c', () => {
  const json = core('tcp_flow_report.json');
  const report = decode(kTcpFlowReport, json);

  it('reads the title and every row, calls in first-call order', () => {
    expect(tcpFlowTitle(report)).toBe('TCP flow through bpf_reno: 536 member calls, 9842 instructions');
    expect(mismatches(kTcpFlowReport, json)).toEqual([]);
    expect(report.error).toBeUndefined();
    expect(report.rows.map(tcpFlowCells)).toEqual([
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
  });

  it('keeps a failed member run\'s message and counts a member called more than once', () => {
    const r = decode(kTcpFlowReport, { ca: '', calls: 2, instructions: 9, error: 'insn 3: division by zero',
      rows: [{ step: 'acks', time_us: 5, snd_cwnd: 3, snd_ssthresh: 7, ca_state: 'CWR', in_flight: 2, calls: { pkts_acked: 2, cong_avoid: 1 } }] });
    expect(tcpFlowTitle(r)).toBe('TCP flow through the congestion control: 2 member calls, 9 instructions');
    expect(r.error).toBe('insn 3: division by zero');
    const row = r.rows[0];
    expect(row && tcpFlowCells(row)).toEqual(['acks', '5', '3', '7', 'CWR', '2', 'pkts_acked x2, cong_avoid']);
  });
});
