// r0-r10 in hex, unsigned decimal or signed decimal, what each points to, changed ones marked.
// Beside them, for a program the static checker refuses, the registers it inferred while the
// run follows the refused path (checker_column.ts).
import { checkerColumn } from './checker_column';
import { h, hex64, signed64 } from './dom';
import type { Session } from './session';
import type { CheckerView, RegView, Snapshot } from './vm_types';

type Radix = 'hex' | 'dec' | 'signed';

export function formatReg(v: bigint, radix: Radix): string {
  switch (radix) {
    case 'hex': return hex64(v);
    case 'dec': return v.toString();
    case 'signed': return signed64(v);
  }
}

export class RegisterPanel {
  private radix: Radix = 'hex';
  private readonly body: HTMLElement;
  private readonly cells: { row: HTMLElement; value: HTMLElement; kind: HTMLElement; verifier: HTMLElement }[] = [];
  private readonly verifierNote: HTMLElement;
  private last: readonly RegView[] = [];

  constructor(root: HTMLElement, session: Session) {
    const select = h('select', { 'aria-label': 'number format', id: 'reg-radix' },
      h('option', { value: 'hex', text: 'hex' }), h('option', { value: 'dec', text: 'decimal' }),
      h('option', { value: 'signed', text: 'signed' }));
    select.addEventListener('change', () => {
      this.radix = select.value as Radix;
      this.paint(this.last);
    });
    this.body = h('tbody');
    for (let i = 0; i <= 10; i++) {
      const value = h('td', { class: 'reg-value' });
      const kind = h('td', { class: 'reg-kind' });
      const verifier = h('td', { class: 'reg-verifier', hidden: true });
      const row = h('tr', { id: `reg-r${i}` }, h('th', { text: i === 10 ? 'r10 (fp)' : `r${i}` }), value, kind, verifier);
      this.cells.push({ row, value, kind, verifier });
      this.body.append(row);
    }
    this.verifierNote = h('div', { class: 'reg-verifier-note', id: 'reg-verifier-note', hidden: true });
    root.append(h('div', { class: 'pane-tools' }, select), this.verifierNote, h('table', { class: 'regs' }, this.body));
    session.events.on('snapshot', (s: Snapshot) => {
      this.paint(s.state.regs);
      this.paintChecker(s.state.checker);
    });
  }

  private paintChecker(checker: CheckerView | null): void {
    const col = checkerColumn(checker);
    this.verifierNote.hidden = !col;
    this.verifierNote.textContent = col?.note ?? '';
    this.verifierNote.classList.toggle('refused', col?.refused === true);
    this.cells.forEach((c, i) => {
      c.verifier.hidden = !col;
      c.verifier.textContent = col?.cells[i] ?? '';
      c.verifier.title = col?.cells[i] ? `the kernel's verifier: r${i} = ${col.cells[i]}` : '';
    });
  }

  private paint(regs: readonly RegView[]): void {
    this.last = regs;
    regs.forEach((r, i) => {
      const c = this.cells[i];
      if (!c) return;
      c.value.textContent = formatReg(r.value, this.radix);
      c.value.title = `${hex64(r.value)} = ${r.value} = ${signed64(r.value)}`;
      c.kind.textContent = r.kind === 'scalar' ? '' : r.points_to || r.kind;
      c.kind.className = `reg-kind kind-${r.kind}`;
      c.row.classList.toggle('changed', r.changed);
    });
  }
}
