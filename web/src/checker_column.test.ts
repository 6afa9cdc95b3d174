import { describe, expect, it } from 'vitest';
import { checkerColumn } from './checker_column';

const regs = ['', 'pkt(r=0)', '', '', '', '', '', '', '', '', 'fp0'];

describe('checkerColumn', () => {
  it('has no column when the run is not compared with a refusal', () => {
    expect(checkerColumn(null)).toBeUndefined();
  });

  it('says the run left the path, with no states', () => {
    const c = checkerColumn({ on_path: false });
    expect(c?.note).toBe('verifier: off the verifier\'s path (the run went where the checker did not fail)');
    expect(c?.refused).toBe(false);
    expect(c?.cells).toEqual(Array(11).fill(''));
  });

  it('shows the checker\'s registers on the path, and says so at the refused instruction', () => {
    expect(checkerColumn({ on_path: true, path_index: 0, path_length: 2, at_failure: false, message: '', kept: true, frame: 0, regs })).toEqual({
      note: 'verifier: registers it inferred before this instruction (path step 1 of 2)', refused: false, cells: regs });
    expect(checkerColumn({ on_path: true, path_index: 1, path_length: 2, at_failure: true, message: 'invalid access to packet', kept: true, frame: 0, regs })).toEqual({
      note: 'verifier refuses this instruction (path step 2 of 2): invalid access to packet', refused: true, cells: regs });
  });

  it('says when the state of a path entry was not kept', () => {
    const c = checkerColumn({ on_path: true, path_index: 3, path_length: 9000, at_failure: false, message: '', kept: false, frame: 0, regs: [] });
    expect(c?.note).toBe('verifier: registers it inferred before this instruction (path step 4 of 9000); its state here is no longer kept');
    expect(c?.cells).toEqual(Array(11).fill(''));
  });
});
