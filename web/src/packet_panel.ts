// The packet as the program sees it now (programs rewrite packets: the input pane shows what
// went in): a hex dump by decimal offset, bytes tinted by header, the bytes the last step wrote
// marked, each byte named by its header field (hover, or click to select the field), a
// watchpoint on the selection, and the context struct's fields by name.
import { h } from './dom';
import { HexDump, type Selection } from './hex_dump';
import { fieldAt, layerSummaries, packetFields, type PacketField } from './packet_fields';
import type { Session } from './session';
import type { Snapshot, StateView } from './vm_types';

const describe = (f: PacketField): string =>
  `${f.layer} ${f.name} = ${f.value} (byte${f.length === 1 ? ` ${f.offset}` : `s ${f.offset}–${f.offset + f.length - 1}`})`;

function littleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

export class PacketPanel {
  private readonly summary = h('div', { class: 'packet-summary', id: 'packet-summary' });
  private readonly legend = h('div', { class: 'packet-legend', id: 'packet-legend' });
  private readonly dump: HexDump;
  private readonly field = h('div', { class: 'packet-field', id: 'packet-field' });
  private readonly watch = h('button', { id: 'packet-watch', text: 'Watch selection', disabled: true,
    title: 'Stop continue and reverse when these bytes change' });
  private readonly error = h('span', { class: 'watch-error', id: 'packet-watch-error', hidden: true });
  private readonly context = h('div', { class: 'ctx-fields', id: 'context-fields' });
  private at: (PacketField | undefined)[] = [];

  constructor(root: HTMLElement, private readonly session: Session) {
    this.dump = new HexDump('packet-dump', (s) => this.selected(s), (i) => this.hovered(i));
    root.append(this.summary, h('div', { class: 'packet-cols' },
      h('div', { class: 'packet-main' }, this.dump.root, this.legend, this.field,
        h('div', { class: 'packet-tools' }, this.watch, this.error)),
      h('div', { class: 'packet-side' }, this.context)));
    this.watch.addEventListener('click', () => void this.addWatch());
    session.events.on('snapshot', (s: Snapshot) => this.render(s.state));
  }

  private render(st: StateView): void {
    const fields = packetFields(st.packet);
    this.at = fieldAt(fields, st.packet.length);
    const n = st.packet_changed.length;
    this.summary.textContent = st.packet.length === 0 ? 'This program gets no packet.'
      : `${st.packet.length} bytes as the program sees them now` +
        (n ? `; the last step wrote ${n} byte${n === 1 ? '' : 's'} (marked)` : '') + '. Click a byte to select its field.';
    // No characters column: the context's fields need the width more, and a byte's tooltip names it.
    this.dump.render(st.packet, new Set(st.packet_changed), (i) => {
      const f = this.at[i];
      return f ? { cls: `layer-${f.layer.toLowerCase()}`, title: describe(f), field: [f.offset, f.offset + f.length] } : {};
    }, { width: 16, from: 0, address: (o) => String(o).padStart(4), ascii: false });
    this.legend.replaceChildren(...layerSummaries(fields).map((l) => h('span', { class: `chip layer-${l.layer.toLowerCase()}`, text: l.text })),
      ...(n ? [h('span', { class: 'chip changed', text: 'written by the last step' })] : []));
    this.selected(this.dump.selected);
    this.renderContext(st);
  }

  private hovered(i: number | undefined): void {
    const f = i === undefined ? undefined : this.at[i];
    if (f) this.field.textContent = describe(f);
    else this.selected(this.dump.selected);
  }

  private selected(s: Selection | undefined): void {
    this.watch.disabled = !s;
    if (!s) {
      this.field.textContent = '';
      this.watch.textContent = 'Watch selection';
      return;
    }
    const range = s.end - s.start === 1 ? `byte ${s.start}` : `bytes ${s.start}–${s.end - 1}`;
    const f = this.at[s.start];
    const whole = f && f.offset === s.start && f.offset + f.length === s.end;
    this.field.textContent = whole ? `Selected: ${describe(f)}` : `Selected: ${range}`;
    this.watch.textContent = `Watch ${range}`;
  }

  private async addWatch(): Promise<void> {
    const s = this.dump.selected;
    if (!s) return;
    const err = await this.session.addWatch({ kind: 'packet', offset: s.start, length: s.end - s.start });
    this.error.textContent = err ? err.what : '';
    this.error.hidden = !err;
  }

  // The context struct's fields by name (from core's field table), or its raw bytes.
  private renderContext(st: StateView): void {
    if (!st.context_struct) {
      this.context.replaceChildren(...(st.context.length ? [h('h3', { text: `Context: ${st.context.length} raw bytes` })] : []));
      return;
    }
    const rows = st.context_fields.map((f) => {
      const bytes = st.context.subarray(f.offset, f.offset + f.size);
      let value: string;
      // A load of these gives a pointer into the packet, not the bytes behind them.
      if (f.kind === 'packet_start') value = '→ packet+0';
      else if (f.kind === 'packet_end') value = `→ packet+${st.packet.length}`;
      else if (f.kind === 'packet_meta') value = '→ packet+0 (no metadata)';
      else if (f.size <= 8) value = String(littleEndian(bytes));
      else value = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
      // The field's description as the row's tooltip: the table stays two columns wide.
      const where = `offset ${f.offset}, ${f.size} bytes`;
      return h('tr', { 'data-field': f.name, title: f.about ? `${f.about} (${where})` : where }, h('th', { text: f.name }),
        h('td', { class: 'ctx-value', text: value }));
    });
    this.context.replaceChildren(h('h3', { text: `Context: struct ${st.context_struct}` }),
      h('table', { class: 'regs' }, h('tbody', {}, ...rows)));
  }
}
