// The lesson panel's pure parts: the starter C it bundles, the input it starts with, when Check
// compiles first, and how a check result reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lessonInput, lessonLabel, needsCompile, resultView, starterObjectName, starterSource } from './lesson_panel';
import { kLessons } from './lessons/index';

const root = new URL('../../', import.meta.url);

describe('lesson panel', () => {
  it('bundles every lesson\'s starter C as it is in examples/lessons/', async () => {
    for (const l of kLessons) {
      expect(await starterSource(l.id)).toBe(readFileSync(new URL(`examples/lessons/${l.id}.starter.c`, root), 'utf8'));
      expect(starterObjectName(l)).toBe(`${l.id}.starter.o`);
    }
    await expect(starterSource('99_none')).rejects.toThrow('examples/lessons/99_none.starter.c is not bundled');
  });
  it('starts on the first case: a packet, or a kprobe\'s registers', () => {
    const first = lessonInput(kLessons[0]!);
    expect(first.packet).toEqual(kLessons[0]!.inputs[0]!.packet);
    expect(first.ctx.length).toBe(0);
    const kprobe = lessonInput(kLessons[5]!);
    expect(kprobe.packet.length).toBe(0);
    expect(kprobe.ctx.length).toBe(168);
    // rdi (offset 112 in struct pt_regs) = -100, AT_FDCWD, as in examples/cases/kprobe_regs.json
    expect(new DataView(kprobe.ctx.buffer).getBigInt64(112, true)).toBe(-100n);
    expect(lessonLabel(kLessons[0]!, 0)).toBe('1. Registers and the return value');
  });
  it('compiles before a check only when the editor\'s C was edited since the load', () => {
    expect(needsCompile(undefined, undefined)).toBe(false);  // the editor was never opened
    expect(needsCompile('int x;', 'int x;')).toBe(false);
    expect(needsCompile('int y;', 'int x;')).toBe(true);
    expect(needsCompile('int y;', undefined)).toBe(false);  // a .o opened before the editor: check it
  });
  it('reads each goal as passed or not yet, because', () => {
    const notYet = resultView({ done: false, message: 'Not yet, because a TCP packet got XDP_PASS (2); the goal is XDP_DROP (1).', lines: [
      { ok: false, text: 'a TCP packet got XDP_PASS (2); the goal is XDP_DROP (1)' },
      { ok: true, text: 'a UDP packet: XDP_DROP' }] }, '01_return.starter.o');
    expect(notYet).toEqual({ done: false, heading: 'Not yet: 01_return.starter.o', rows: [
      { ok: false, text: 'not yet, because a TCP packet got XDP_PASS (2); the goal is XDP_DROP (1)' },
      { ok: true, text: 'pass: a UDP packet: XDP_DROP' }] });
    const done = resultView({ done: true, message: 'Done! Every check passes.', lines: [{ ok: true, text: 'a TCP packet: XDP_DROP' }] }, '01_return.o');
    expect(done.heading).toBe('Done! 01_return.o passes every check.');
    expect(done.rows).toEqual([{ ok: true, text: 'pass: a TCP packet: XDP_DROP' }]);
  });
});
