// Watchpoints: add one on a stack slot (fp-N of frame k, 0 = the program's own), a packet byte
// range or a map entry (the stack and packet panes add them from a selection of bytes); each
// is listed with its hit count, its bytes now (the ones the last step changed marked) and a
// remove button. The one that stopped the last continue is highlighted.
import { h } from './dom';
import { parseHex, toHex } from './hex';
import type { Session } from './session';
import type { Snapshot, StateView, WatchView } from './vm_types';
import type { WatchSpec } from './worker_protocol';

type Kind = WatchSpec['kind'];

interface Bytes {
  bytes: Uint8Array;
  changed: ReadonlySet<number>;  // indexes into bytes
  missing?: string;              // why there are no bytes to show
}

// The watched bytes as the state shows them (undefined when the state does not carry them).
export function watchedBytes(spec: WatchSpec, st: StateView): Bytes | undefined {
  if (spec.kind === 'stack') {
    const f = st.frames.find((x) => x.depth === spec.frame);
    if (!f) return undefined;
    const start = f.stack.length + spec.fpOffset;
    if (start < 0 || start + spec.length > f.stack.length) return undefined;
    const changed = new Set(f.changed.filter((i) => i >= start && i < start + spec.length).map((i) => i - start));
    return { bytes: f.stack.subarray(start, start + spec.length), changed };
  }
  if (spec.kind === 'packet') {
    const end = Math.min(st.packet.length, spec.offset + spec.length);
    const changed = new Set(st.packet_changed.filter((i) => i >= spec.offset && i < end).map((i) => i - spec.offset));
    return { bytes: st.packet.subarray(spec.offset, end), changed };
  }
  const m = st.maps.find((x) => x.name === spec.map);
  if (!m) return undefined;
  const keyHex = toHex(spec.key);
  const e = m.entries.find((x) => toHex(x.key_hex) === keyHex);
  if (!e) return { bytes: new Uint8Array(0), changed: new Set(), missing: m.changed ? '(no entry: deleted)' : '(no entry)' };
  const bytes = e.values_hex[0] ?? new Uint8Array(0);
  return { bytes, changed: new Set(e.changed ? bytes.keys() : []) };
}

export class WatchPanel {
  private readonly kind = h('select', { id: 'watch-kind', 'aria-label': 'watch kind' },
    h('option', { value: 'stack', text: 'stack fp-' }), h('option', { value: 'packet', text: 'packet offset' }),
    h('option', { value: 'map', text: 'map entry' }));
  private readonly offset = h('input', { id: 'watch-offset', class: 'num-in', value: '8', 'aria-label': 'offset', title: 'stack: N of fp-N; packet: byte offset' });
  private readonly frame = h('input', { id: 'watch-frame', class: 'num-in', value: '0', 'aria-label': 'frame', title: 'stack frame: 0 is the program\'s own, 1 the function it called, ...' });
  private readonly length = h('input', { id: 'watch-length', class: 'num-in', value: '8', 'aria-label': 'length', title: 'bytes' });
  private readonly map = h('select', { id: 'watch-map', 'aria-label': 'map' });
  private readonly key = h('input', { id: 'watch-key', class: 'hex-in', placeholder: 'key hex', 'aria-label': 'map key (hex)' });
  private readonly add = h('button', { id: 'watch-add', text: 'Watch', title: 'Stop continue and reverse when these bytes change' });
  private readonly error = h('div', { id: 'watch-error', class: 'watch-error', hidden: true });
  private readonly list = h('ul', { id: 'watch-list', class: 'watch-list' });

  constructor(root: HTMLElement, private readonly session: Session) {
    root.append(h('h3', { text: 'Watchpoints' }),
      h('div', { class: 'watch-form' }, this.kind, this.offset, this.length, this.frame, this.map, this.key, this.add),
      this.error, this.list);
    this.kind.addEventListener('change', () => this.showFields());
    this.add.addEventListener('click', () => void this.submit());
    for (const i of [this.offset, this.length, this.frame, this.key]) {
      i.addEventListener('keydown', (e) => { if (e.key === 'Enter') void this.submit(); });
    }
    session.events.on('loaded', (l) => {
      this.map.replaceChildren(...l.summary.maps.map((m) => h('option', { value: m.name, text: m.name })));
      this.showFields();
    });
    session.events.on('snapshot', (s) => this.render(s));
    session.events.on('watches', () => { if (session.snapshot) this.render(session.snapshot); });
    this.showFields();
  }

  private showFields(): void {
    const k = this.kind.value as Kind;
    this.offset.hidden = k === 'map';
    this.length.hidden = k === 'map';
    this.frame.hidden = k !== 'stack';
    this.map.hidden = k !== 'map';
    this.key.hidden = k !== 'map';
    const m = this.session.loaded?.summary.maps.find((x) => x.name === this.map.value);
    this.key.placeholder = m ? `key: ${m.key_size} bytes hex` : 'key hex';
  }

  private spec(): WatchSpec {
    const k = this.kind.value as Kind;
    if (k === 'map') {
      if (!this.map.value) throw new Error('this object has no maps');
      return { kind: 'map', map: this.map.value, key: parseHex(this.key.value) };
    }
    const n = (i: HTMLInputElement, what: string): number => {
      const v = Number(i.value.trim());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${what}: "${i.value}" is not a whole number`);
      return v;
    };
    const offset = n(this.offset, k === 'stack' ? 'fp-N' : 'offset');
    const length = n(this.length, 'length');
    return k === 'stack' ? { kind: 'stack', fpOffset: -offset, length, frame: n(this.frame, 'frame') } : { kind: 'packet', offset, length };
  }

  private async submit(): Promise<void> {
    let spec: WatchSpec;
    try {
      spec = this.spec();
    } catch (e) {
      this.showError((e as Error).message);
      return;
    }
    const err = await this.session.addWatch(spec);
    this.showError(err ? err.what + (err.hint ? ` (${err.hint})` : '') : '');
  }

  private showError(text: string): void {
    this.error.textContent = text;
    this.error.hidden = text === '';
  }

  private render(s: Snapshot): void {
    // The session's list: newer than the snapshot's after an add or remove.
    const watches = this.session.watches;
    const stoppedBy = s.stop.reason === 'watchpoint' ? s.stop.id : 0;
    this.list.replaceChildren(...watches.map((w) => this.renderWatch(w, s.state, w.id === stoppedBy)));
    if (watches.length === 0) this.list.append(h('li', { class: 'muted', text: 'none: continue stops when watched bytes change' }));
  }

  private renderWatch(w: WatchView, st: StateView, stopped: boolean): HTMLElement {
    const spec = this.session.watchSpec(w.id);
    const b = spec ? watchedBytes(spec, st) : undefined;
    const value = h('span', { class: 'watch-bytes bytes' });
    if (b?.missing) value.append(h('span', { class: 'muted', text: b.missing }));
    else if (b) {
      b.bytes.forEach((x, i) => {
        value.append(h('span', { class: b.changed.has(i) ? 'byte changed' : 'byte', text: x.toString(16).padStart(2, '0') }), ' ');
      });
    }
    const hits = h('span', { class: 'watch-hits', title: 'times it stopped a continue', text: `${w.hits} hit${w.hits === 1 ? '' : 's'}` });
    return h('li', { class: stopped ? 'watch hit' : 'watch', 'data-id': w.id },
      h('span', { class: 'watch-label', text: `#${w.id} ${w.label}` }), ' ', hits, ' ',
      h('button', { class: 'watch-remove', text: '×', title: 'remove this watchpoint', 'aria-label': `remove watchpoint ${w.id}`,
        onclick: () => void this.session.removeWatch(w.id) }),
      h('div', {}, value));
  }
}
