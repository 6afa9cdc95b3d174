import { describe, expect, it } from 'vitest';
import { checkLesson, wrongChecksum, type LessonGoal, type RunOutcome } from './lesson_checks';
import { buildPacket, kPresets, type PacketSpec } from './packet';
import type { StateView, VerdictView } from './vm_types';

const state = (over: Partial<StateView>): StateView => ({
  status: 'exited', return: 2n, return_name: 'XDP_PASS', maps: [], printk: [], events: [], ...over,
} as unknown as StateView);
const run = (over: Partial<StateView>): RunOutcome => ({ state: state(over) });
const accept = { verdict: 'accept' } as VerdictView;

const dropAll: LessonGoal = { cases: [{ label: 'a TCP packet', returns: { value: 1, name: 'XDP_DROP' } }], after: [] };

describe('checkLesson', () => {
  it('is done when the return value is the goal', () => {
    const r = checkLesson(dropAll, { verdict: accept, runs: [run({ return: 1n, return_name: 'XDP_DROP' })] });
    expect(r.done).toBe(true);
    expect(r.message).toBe('Done! Every check passes.');
  });
  it('says which case returned what', () => {
    const r = checkLesson(dropAll, { verdict: accept, runs: [run({})] });
    expect(r.done).toBe(false);
    expect(r.message).toBe('Not yet, because a TCP packet got XDP_PASS (2); the goal is XDP_DROP (1).');
  });
  it('puts the verifier first', () => {
    const v = { verdict: 'refuse', insn: 1, message: 'invalid access to packet, off=12 size=1', source: { file: 'p.c', line: 19, text: '' } } as unknown as VerdictView;
    const r = checkLesson(dropAll, { verdict: v, runs: [] });
    expect(r.message).toBe('Not yet, because the verifier refuses the program at instruction 1 (line 19): invalid access to packet, off=12 size=1.');
  });
  it('reads a map value (little-endian u64) after the runs', () => {
    const goal: LessonGoal = { cases: [], after: [{ kind: 'map_u64', map: 'counts', keyHex: '00000000', keyLabel: 'key 0', value: 3n }] };
    const maps = (n: number): StateView['maps'] => [{ name: 'counts', entries: [{ key_hex: Uint8Array.of(0, 0, 0, 0), values_hex: [Uint8Array.of(n, 0, 0, 0, 0, 0, 0, 0)] }] }] as unknown as StateView['maps'];
    expect(checkLesson(goal, { verdict: accept, runs: [run({ maps: maps(3) })] }).done).toBe(true);
    expect(checkLesson(goal, { verdict: accept, runs: [run({ maps: maps(2) })] }).message)
      .toBe('Not yet, because map counts[key 0] is 2; the goal is 3.');
    expect(checkLesson(goal, { verdict: accept, runs: [run({})] }).message).toBe('Not yet, because the object has no map named "counts".');
  });
  it('finds a trace line and a ring buffer record', () => {
    const goal: LessonGoal = { cases: [], after: [{ kind: 'printk', run: 0, contains: 'len=54' }, { kind: 'event_u32', run: 0, offset: 0, equals: 54 }] };
    expect(checkLesson(goal, { verdict: accept, runs: [run({ printk: ['len=54\n'], events: ['rb: record 0 (8 bytes) 3600000000000000'] })] }).done).toBe(true);
    expect(checkLesson(goal, { verdict: accept, runs: [run({ printk: ['len=54\n'] })] }).message).toBe('Not yet, because run 1 sent no ring buffer record.');
  });
  it('reports a fault', () => {
    const r = checkLesson(dropAll, { verdict: accept, runs: [run({ status: 'faulted', fault: { kind: 'runtime', what: 'out-of-bounds read', message: 'out-of-bounds read' } })] });
    expect(r.message).toBe('Not yet, because a TCP packet: the run stopped on a fault: out-of-bounds read.');
  });
  it('reads one CPU\'s copy of a per-CPU value, or all of them summed', () => {
    const maps = [{ name: 'pkts', entries: [{ key_hex: Uint8Array.of(0, 0, 0, 0), values_hex: [Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)] }] }];
    const goal = (cpu: number | undefined, value: bigint): LessonGoal =>
      ({ cases: [], after: [{ kind: 'map_u64', map: 'pkts', keyHex: '00000000', keyLabel: '0', value, ...(cpu === undefined ? {} : { cpu }) }] });
    const outcome = { verdict: accept, runs: [run({ maps } as unknown as Partial<StateView>)] };
    expect(checkLesson(goal(0, 2n), outcome).done).toBe(true);
    expect(checkLesson(goal(undefined, 3n), outcome).done).toBe(true);
    expect(checkLesson(goal(1, 2n), outcome).message).toBe('Not yet, because map pkts[0] on CPU 1 is 1; the goal is 2.');
  });
  it('checks packet fields and both checksums of an IPv4 TCP packet', () => {
    const p = buildPacket({ ...(kPresets['IPv4 TCP SYN'] as PacketSpec), dstPort: 80 });
    expect(wrongChecksum(p)).toBeUndefined();
    const moved = p.slice();
    moved[37] = 0x90;  // port 80 -> 0x0090 = 144, the TCP checksum left as it was
    expect(wrongChecksum(moved)).toBe('TCP checksum');
    const ttl = p.slice();
    ttl[22] = 63;
    expect(wrongChecksum(ttl)).toBe('IPv4 header checksum');
    const goal: LessonGoal = { cases: [], after: [
      { kind: 'packet_field', run: 0, offset: 36, size: 2, what: 'TCP destination port', equals: 144 },
      { kind: 'checksums', run: 0 }] };
    const r = checkLesson(goal, { verdict: accept, runs: [run({ packet: moved })] });
    expect(r.lines.map((l) => l.text)).toEqual(['packet 1\'s TCP destination port is 144', 'packet 1\'s TCP checksum is wrong: a receiver would drop it']);
    expect(r.message).toBe('Not yet, because packet 1\'s TCP checksum is wrong: a receiver would drop it.');
  });
});
