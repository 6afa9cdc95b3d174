// The program to run and its input: a packet built from fields (presets, Ethernet + IPv4/IPv6
// + TCP/UDP/ICMP) shown and editable as hex, raw context bytes, and the host model (current
// task, CPU, clock, random seed; its network is host_panel.ts). "Run with this input" restarts
// the program on it.
import { h } from './dom';
import { parseHex, toHex } from './hex';
import type { HostPanel } from './host_panel';
import { buildPacket, kDefaultPreset, kPresets, type L4, type PacketSpec } from './packet';
import type { ObjectSummary, ProgramArg, ProgramSummary } from './vm_types';
import { argEditable, argsHead, argText, argValue, parseArgValue, setArg } from './ctx_args';
import { hostFieldsOf, kHostFields, type HostField, type HostSettings } from './host_fields';

export interface InputValues {
  program: string;
  budget: number;
  packet: Uint8Array;
  ctx: Uint8Array;
  host: HostSettings;
}

function formatHexLines(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) lines.push(toHex(bytes.subarray(i, i + 16), ' '));
  return lines.join('\n');
}

const field = (label: string, input: HTMLElement): HTMLElement => h('label', { class: 'field' }, h('span', { text: label }), input);

export class InputPanel {
  readonly programSelect = h('select', { id: 'program-select', 'aria-label': 'program' });
  // Why the chosen program cannot run (core's load error), by the picker.
  private readonly programError = h('div', { class: 'program-error', id: 'program-error', role: 'alert', hidden: true });
  private programs: readonly ProgramSummary[] = [];
  // A program whose section names no type runs as the type picked here: core's host prog_types,
  // what bpfvm run --prog-type PROGRAM=TYPE sets (the object loads again with it).
  private readonly progTypeSelect = h('select', { id: 'prog-type-select', 'aria-label': 'run the program as type' });
  private readonly progTypeField = field('run as (its section names no program type)', this.progTypeSelect);
  private chosenTypes: Record<string, string> = {};
  private readonly packetHex = h('textarea', { id: 'packet-hex', rows: 6, spellcheck: 'false', 'aria-label': 'packet bytes (hex)' });
  // A tracing program's arguments by name, one input each (ctx_args.ts), above the hex.
  private readonly ctxArgs = h('div', { class: 'ctx-args', id: 'ctx-args', hidden: true });
  private readonly argInputs = new Map<string, HTMLInputElement>();
  private readonly ctxHex = h('textarea', { id: 'ctx-hex', rows: 6, spellcheck: 'false', 'aria-label': 'context bytes (hex)' });
  private readonly packetInfo = h('div', { class: 'muted' });
  private readonly budget = h('input', { id: 'budget', type: 'number', min: 1, value: 1000000, 'aria-label': 'instruction budget' });
  private readonly spec: PacketSpec = structuredClone(kPresets[kDefaultPreset] as PacketSpec);
  private readonly form = h('div', { class: 'packet-form' });
  private readonly hostInputs = new Map<HostField, HTMLInputElement>();
  private readonly tabs = new Map<string, { button: HTMLElement; body: HTMLElement }>();

  constructor(root: HTMLElement, private readonly onApply: (reloadHost: boolean) => void,
              private readonly say: (text: string, kind?: 'error' | 'info') => void,
              private readonly hostPanel: HostPanel) {
    const presetSelect = h('select', { id: 'packet-preset', 'aria-label': 'packet preset' },
      ...Object.keys(kPresets).map((n) => h('option', { value: n, text: n })));
    presetSelect.value = kDefaultPreset;
    presetSelect.addEventListener('change', () => this.usePreset(presetSelect.value));
    this.packetHex.addEventListener('input', () => this.describePacket());

    const packetBody = h('div', {}, field('preset', presetSelect), this.form,
      h('div', { class: 'hex-head' }, 'packet bytes (hex, editable) ', this.packetInfo), this.packetHex);
    const ctxBody = h('div', {}, h('p', { class: 'muted', text: 'Context bytes: struct pt_regs for kprobes, the initial fields of xdp_md/__sk_buff, a tracing program\'s arguments (u64 each), or raw memory. Empty means zeros (a tracing program\'s defaults).' }), this.ctxArgs, this.ctxHex);
    this.ctxHex.addEventListener('input', () => this.showArgValues());
    const hostBody = h('div', {}, h('div', { class: 'host-form' }, ...this.hostFields()), hostPanel.root);

    const tabBar = h('div', { class: 'tabs', role: 'tablist' });
    for (const [name, body] of [['Packet', packetBody], ['Context', ctxBody], ['Host', hostBody]] as const) {
      const button = h('button', { role: 'tab', text: name, onclick: () => this.showTab(name) });
      this.tabs.set(name, { button, body });
      tabBar.append(button);
    }
    const apply = h('button', { id: 'apply-input', class: 'primary', text: 'Run with this input', onclick: () => this.apply() });
    this.programSelect.addEventListener('change', () => { this.renderArgs(); this.showProgType(); this.onApply(false); });
    this.progTypeSelect.addEventListener('change', () => this.chooseType());
    root.append(field('program', this.programSelect), this.progTypeField, this.programError, field('instruction budget (a run stops after this many)', this.budget), tabBar, hostPanel.errorBox, ...[...this.tabs.values()].map((t) => t.body), apply);
    this.showTab('Packet');
    this.renderForm();
    this.packetHex.value = formatHexLines(buildPacket(this.spec));
    this.describePacket();
  }

  private activeTab = 'Packet';

  private showTab(name: string): void {
    this.activeTab = name;
    for (const [n, t] of this.tabs) {
      t.body.hidden = n !== name;
      t.button.classList.toggle('active', n === name);
    }
  }

  // The host the object was last loaded with (undefined: load again whatever it is). Empty
  // fields and no network: core's defaults, which the first load uses.
  private lastHost: HostSettings | undefined = {};

  private apply(): void {
    let changed: boolean;
    try {
      changed = this.hostChanged();
    } catch (e) {
      this.hostPanel.showError((e as Error).message);
      this.showTab('Host');
      return;
    }
    this.onApply(changed);
  }

  // Marks the Host tab while the error next to it stands.
  markHostError(shown: boolean): void {
    this.tabs.get('Host')?.button.classList.toggle('invalid', shown);
  }

  // Core's default host arrived: its task and CPU fill the fields left empty. A page loaded
  // with nothing set (core's defaults) loaded exactly what is shown now.
  hostDefaultsShown(defaultHostJson: string): void {
    const defaults = hostFieldsOf(defaultHostJson);
    for (const [k, input] of this.hostInputs) if (input.value === '') input.value = defaults[k];
    const last = this.lastHost;
    if (last && last.hostJson === undefined && kHostFields.every((f) => !last[f.key])) this.lastHost = this.host();
  }

  // The last load failed (core refused the host): the next Run loads again.
  hostLoadFailed(): void {
    this.lastHost = undefined;
  }

  // Empty until core's defaults arrive (hostDefaultsShown).
  private hostFields(): HTMLElement[] {
    return kHostFields.map((f) => {
      const input = h('input', { value: '', 'data-host': f.key });
      this.hostInputs.set(f.key, input);
      return field(f.label, input);
    });
  }

  private hostChanged(): boolean {
    const now = this.host();
    const changed = this.lastHost === undefined || JSON.stringify(now) !== JSON.stringify(this.lastHost);
    this.lastHost = now;
    return changed;
  }

  // The fields as typed (core checks them) and the network. Throws (in words) when the
  // network's routes or neighbours are not JSON.
  host(): HostSettings {
    const hostJson = this.hostPanel.json();
    const settings: HostSettings = {};
    for (const [k, input] of this.hostInputs) if (input.value.trim() !== '') settings[k] = input.value.trim();
    const progTypes = Object.keys(this.chosenTypes).length ? { progTypes: JSON.stringify(this.chosenTypes) } : {};
    return { ...settings, ...(hostJson === undefined ? {} : { hostJson }), ...progTypes };
  }

  private usePreset(name: string): void {
    const p = kPresets[name];
    if (!p) return;
    Object.assign(this.spec, structuredClone(p));
    this.renderForm();
    this.rebuild();
  }

  private rebuild(): void {
    try {
      this.packetHex.value = formatHexLines(buildPacket(this.spec));
      this.describePacket();
    } catch (e) {
      this.say((e as Error).message, 'error');
    }
  }

  private describePacket(): void {
    try {
      this.packetInfo.textContent = `${parseHex(this.packetHex.value).length} bytes`;
      this.packetHex.classList.remove('invalid');
    } catch (e) {
      this.packetInfo.textContent = (e as Error).message;
      this.packetHex.classList.add('invalid');
    }
  }

  private renderForm(): void {
    const s = this.spec;
    const text = (label: string, key: 'ethSrc' | 'ethDst' | 'src' | 'dst' | 'payload'): HTMLElement => {
      const input = h('input', { value: s[key], 'data-field': key });
      input.addEventListener('change', () => { s[key] = input.value; this.rebuild(); });
      return field(label, input);
    };
    const number = (label: string, key: 'ttl' | 'srcPort' | 'dstPort' | 'seq' | 'ack' | 'window' | 'icmpType' | 'icmpCode' | 'icmpId' | 'icmpSeq'): HTMLElement => {
      const input = h('input', { type: 'number', min: 0, value: s[key], 'data-field': key });
      input.addEventListener('change', () => { s[key] = Number(input.value) >>> 0; this.rebuild(); });
      return field(label, input);
    };
    const choice = <T extends string | number>(label: string, value: T, options: T[], set: (v: T) => void): HTMLElement => {
      const sel = h('select', {}, ...options.map((o) => h('option', { value: String(o), text: String(o) })));
      sel.value = String(value);
      sel.addEventListener('change', () => {
        set((typeof value === 'number' ? Number(sel.value) : sel.value) as T);
        this.renderForm();
        this.rebuild();
      });
      return field(label, sel);
    };
    const rows: HTMLElement[] = [
      choice<number>('IP', s.ipVersion, [4, 6], (v) => {
        s.ipVersion = v === 6 ? 6 : 4;
        s.src = v === 6 ? 'fd00::1' : '10.0.0.1';
        s.dst = v === 6 ? 'fd00::2' : '10.0.0.2';
        if (s.proto === 'icmp') s.icmpType = v === 6 ? 128 : 8;
      }),
      choice<L4>('protocol', s.proto, ['tcp', 'udp', 'icmp'], (v) => { s.proto = v; }),
      text('src address', 'src'), text('dst address', 'dst'), number('TTL', 'ttl'),
    ];
    if (s.proto === 'icmp') {
      rows.push(number('ICMP type', 'icmpType'), number('code', 'icmpCode'), number('id', 'icmpId'), number('seq', 'icmpSeq'));
    } else {
      rows.push(number('src port', 'srcPort'), number('dst port', 'dstPort'));
    }
    if (s.proto === 'tcp') {
      const flags = h('span', { class: 'flags' }, ...(Object.keys(s.tcpFlags) as (keyof PacketSpec['tcpFlags'])[]).map((f) => {
        const box = h('input', { type: 'checkbox', checked: s.tcpFlags[f] });
        box.addEventListener('change', () => { s.tcpFlags[f] = box.checked; this.rebuild(); });
        return h('label', {}, box, f.toUpperCase());
      }));
      rows.push(field('flags', flags), number('seq', 'seq'), number('ack', 'ack'));
    }
    rows.push(text('payload (text)', 'payload'), text('eth src', 'ethSrc'), text('eth dst', 'ethDst'));
    this.form.replaceChildren(...rows);
  }

  // The object's programs; one that cannot run is marked with core's reason (its full
  // status in the tooltip). Selected: `selected` if the object has it, else core's entry program.
  setPrograms(summary: ObjectSummary, selected?: string): void {
    this.programs = summary.programs;
    this.programSelect.replaceChildren(...summary.programs.map((p) => {
      const label = `${p.name} (${p.section}, ${p.context || p.type})`;
      return p.runnable
        ? h('option', { value: p.name, text: label })
        : h('option', { value: p.name, class: 'refused', 'data-refused': 'true', title: p.status,
          text: `✕ ${label} — cannot run: ${p.load_error?.what ?? p.status}` });
    }));
    const wanted = selected && summary.programs.some((p) => p.name === selected) ? selected : summary.entry_program;
    if (wanted) this.programSelect.value = wanted;
    this.showProgramError(undefined);
    this.renderArgs();
    this.showProgType();
    // A tracing program's input is its arguments: show them rather than a packet it ignores.
    if (this.selectedArgs().length) this.showTab('Context');
  }

  // Core's program type names (page_defaults_json), for the "run as" picker.
  setProgTypeNames(names: readonly string[]): void {
    this.progTypeSelect.replaceChildren(h('option', { value: '', text: 'unspec (no type: r1 is the context bytes)' }),
      ...names.map((n) => h('option', { value: n, text: n })));
    this.showProgType();
  }

  // Shown for a program whose section names no type, or one given a type here.
  private showProgType(): void {
    const p = this.selectedProgram();
    this.progTypeField.hidden = !p || (p.type_known && this.chosenTypes[p.name] === undefined);
    if (p) this.progTypeSelect.value = this.chosenTypes[p.name] ?? '';
  }

  private chooseType(): void {
    const p = this.selectedProgram();
    if (!p) return;
    const chosen = { ...this.chosenTypes };
    if (this.progTypeSelect.value === '') delete chosen[p.name];
    else chosen[p.name] = this.progTypeSelect.value;
    this.chosenTypes = chosen;
    this.apply();  // the host changed: the object loads again with the type
  }

  private selectedArgs(): readonly ProgramArg[] {
    return this.selectedProgram()?.args ?? [];
  }

  // One row per argument of the chosen program: name, C type, value (core's default until set).
  private renderArgs(): void {
    const p = this.selectedProgram();
    const args = this.selectedArgs();
    this.argInputs.clear();
    this.ctxArgs.hidden = args.length === 0;
    const rows = args.map((a) => {
      const input = h('input', { id: `ctx-arg-${a.name}`, 'data-arg': a.name, spellcheck: 'false', 'aria-label': `argument ${a.name}` });
      if (argEditable(a)) input.addEventListener('change', () => this.editArg(a, input));
      else input.readOnly = true;
      this.argInputs.set(a.name, input);
      const where = a.register ? `, in ${a.register}` : '';
      return h('label', { class: 'field' }, h('span', { text: `${a.name} (${a.type}${where})` }), input);
    });
    this.ctxArgs.replaceChildren(
      ...(p?.args_of ? [h('div', { class: 'hex-head', text: argsHead(p.args_of, args) })] : []),
      ...rows);
    this.showArgValues();
  }

  // The fields from the hex (a slot the hex does not reach shows its default).
  private showArgValues(): void {
    let bytes: Uint8Array;
    try {
      bytes = parseHex(this.ctxHex.value);
    } catch {
      return;  // the hex is being typed: keep the fields as they are
    }
    for (const a of this.selectedArgs()) {
      const input = this.argInputs.get(a.name);
      if (input) input.value = argEditable(a) ? argText(a, argValue(a, bytes)) : a.text;
    }
  }

  private editArg(arg: ProgramArg, input: HTMLInputElement): void {
    const value = parseArgValue(input.value);
    input.classList.toggle('invalid', value === undefined);
    if (value === undefined) {
      this.say(`${arg.name}: give a number (-100, 42, 0x1f) or NULL`, 'error');
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = parseHex(this.ctxHex.value);
    } catch {
      bytes = new Uint8Array(0);  // malformed hex: start again from the defaults
    }
    this.ctxHex.value = formatHexLines(setArg(this.selectedArgs(), bytes, arg, value));
    this.showArgValues();
  }

  // The chosen program's summary (undefined before an object is loaded).
  selectedProgram(): ProgramSummary | undefined {
    return this.programs.find((p) => p.name === this.programSelect.value);
  }

  // Shows why `p` cannot run by the picker (core's words: where, the C line, what, the hint);
  // undefined hides the box.
  showProgramError(p: ProgramSummary | undefined): void {
    this.programError.hidden = p === undefined;
    if (!p) {
      this.programError.replaceChildren();
      return;
    }
    const e = p.load_error;
    const where = e ? [e.pc !== undefined ? `insn ${e.pc}` : '', e.source ?? ''].filter((x) => x).join(', ') : '';
    this.programError.replaceChildren(
      h('b', { text: `${p.name} cannot run` }), where ? ` (${where})` : '', ': ',
      h('span', { class: 'program-error-what', text: e ? e.what : p.status }));
    if (e?.hint) this.programError.append(h('div', { class: 'hint', text: e.hint }));
  }

  setPacket(bytes: Uint8Array): void {
    this.packetHex.value = formatHexLines(bytes);
    this.describePacket();
  }

  usePacketPreset(name: string): void {
    const sel = document.getElementById('packet-preset') as HTMLSelectElement | null;
    if (sel) sel.value = name;
    this.usePreset(name);
  }

  setCtx(bytes: Uint8Array): void {
    this.ctxHex.value = formatHexLines(bytes);
    this.showArgValues();
    // A program with a context preset (a kprobe's registers) opens on it; one without (XDP) goes
    // back to its packet rather than showing an emptied Context tab. This runs before the next
    // object loads, so the programs listed are still the last object's: named arguments open the
    // tab once the new object's programs are listed (setPrograms).
    if (bytes.length) this.showTab('Context');
    else if (this.activeTab === 'Context') this.showTab('Packet');
  }

  setHost(host: HostSettings): void {
    for (const [k, input] of this.hostInputs) input.value = host[k] ?? '';
    if (host.hostJson !== undefined) this.hostPanel.setJson(host.hostJson);
    this.chosenTypes = host.progTypes !== undefined ? JSON.parse(host.progTypes) as Record<string, string> : {};
    this.lastHost = this.host();
  }

  // Throws (with a message for the learner) when the hex is malformed.
  values(): InputValues {
    let packet: Uint8Array;
    let ctx: Uint8Array;
    try {
      packet = parseHex(this.packetHex.value);
    } catch (e) {
      throw new Error(`packet bytes: ${(e as Error).message}`);
    }
    try {
      ctx = parseHex(this.ctxHex.value);
    } catch (e) {
      throw new Error(`context bytes: ${(e as Error).message}`);
    }
    return { program: this.programSelect.value, budget: this.runBudget(), packet, ctx, host: this.host() };
  }

  // The instruction budget of each run (a host script's runs too).
  runBudget(): number {
    const budget = Number(this.budget.value);
    return Number.isInteger(budget) && budget > 0 ? budget : 1_000_000;
  }
}
