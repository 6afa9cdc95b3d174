import { describe, expect, it } from 'vitest';
import { fastRunText } from './fast_status';

describe('fastRunText', () => {
  it('gives the count, the wall time, the rate and the WebAssembly share', () => {
    expect(fastRunText(100_000_000, 99_999_990, 812.4)).toBe(
      'fast run: 100,000,000 instructions in 812 ms, 8.12 ns each (99,999,990 as WebAssembly) · not recorded: step back stops here');
  });

  it('says "all" when the module ran every instruction, and leaves out the rate of a short run', () => {
    expect(fastRunText(1234, 1234, 0.456)).toBe(
      'fast run: 1,234 instructions in 0.46 ms (all as WebAssembly) · not recorded: step back stops here');
  });

  it('says so when the interpreter ran them all (a program the translator refuses)', () => {
    expect(fastRunText(20_000, 0, 3)).toBe(
      'fast run: 20,000 instructions in 3.00 ms, 150.00 ns each (0 as WebAssembly) · not recorded: step back stops here');
  });

  it('says when Stop ended it midway', () => {
    expect(fastRunText(10_000_000, 9_999_000, 25, true)).toBe(
      'fast run stopped: 10,000,000 instructions in 25 ms, 2.50 ns each (9,999,000 as WebAssembly) · not recorded: step back stops here');
  });
});
