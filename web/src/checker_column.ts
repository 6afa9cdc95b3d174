// The registers panel's "verifier" column: core says where a refused program's run is on the
// static checker's path (StateView.checker); this only words it.
import type { CheckerView } from './vm_types';

export interface CheckerColumn {
  readonly note: string;               // above the registers: where the run is on the path
  readonly refused: boolean;           // the instruction the checker refuses
  readonly cells: readonly string[];   // r0-r10: the checker's state, "" where it has none
}

const kNoCells: readonly string[] = Array<string>(11).fill('');

// undefined: no column (the checker accepts the program, or the run is not followed).
export function checkerColumn(c: CheckerView | null): CheckerColumn | undefined {
  if (!c) return undefined;
  if (!c.on_path) return { note: 'verifier: off the verifier\'s path (the run went where the checker did not fail)', refused: false, cells: kNoCells };
  const step = `path step ${(c.path_index ?? 0) + 1} of ${c.path_length ?? 0}`;
  const kept = c.kept === true && c.regs?.length === 11;
  const note = c.at_failure ? `verifier refuses this instruction (${step}): ${c.message ?? ''}`
    : `verifier: registers it inferred before this instruction (${step})`;
  return { note: kept ? note : `${note}; its state here is no longer kept`, refused: c.at_failure === true, cells: kept ? c.regs ?? kNoCells : kNoCells };
}
