// r0-r10 in hex, unsigned decimal or signed decimal, what each points to, changed ones marked.
import { h, hex64, signed64 } from './dom';
import type { Session } from './session';
import type { RegView, Snapshot } from './vm_types';

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
  private readonly cells: { row: HTMLElement; value: HTMLElement; kind: HTMLElement }[] = [];
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
      const row = h('tr', { id: `reg-r${i}` }, h('th', { text: i === 10 ? 'r10 (fp)' : `r${i}` }), value, kind);
      this.cells.push({ row, value, kind });
      this.body.append(row);
    }
    root.append(h('div', { class: 'pane-tools' }, select), h('table', { class: 'regs' }, this.body));
    session.events.on('snapshot', (s: Snapshot) => this.paint(s.state.regs));
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
