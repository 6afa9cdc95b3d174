// The lesson data and its files agree: every lesson has its starter and solution source and
// compiled objects, the program name is in both sources, and each goal case has an input.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kLessons } from './lessons/index';

const root = new URL('../../', import.meta.url);

describe('lessons', () => {
  it('has 12 lessons numbered in order', () => {
    expect(kLessons.map((l) => l.id.slice(0, 2))).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
  });
  for (const l of kLessons) {
    it(`${l.id}: files, program name, one input per case`, () => {
      for (const kind of ['starter', 'solution']) {
        const src = readFileSync(new URL(`examples/lessons/${l.id}.${kind}.c`, root), 'utf8');
        expect(src).toContain(` ${l.program}(`);
        expect(existsSync(new URL(`public/lessons/${l.id}.${kind}.o`, root))).toBe(true);
      }
      expect(l.inputs.length).toBe(l.goal.cases.length);
    });
  }
  it('builds the packets the goals name (54-byte TCP SYN, 47-byte UDP DNS)', () => {
    const l8 = kLessons[7];
    expect(l8?.inputs.map((i) => i.packet.length)).toEqual([54, 47]);
    expect(kLessons[5]?.inputs[0]?.ctx?.length).toBe(168 * 2);
  });
});
