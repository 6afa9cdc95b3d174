// core's JSON (debug_json.hpp) -> the view types in vm_types.ts. The one place that knows the
// JSON's spelling: 64-bit values arrive as "0x..." strings, byte buffers as hex strings, nested
// C values decoded through BTF as JSON values. It reads only the keys core writes (the contract
// test, contract.test.ts, decodes core's own output in tests/contract/).
import { parseHex } from './hex';
import type {
  ContextFieldView, ErrorView, ExplainView, MapCommandView, FrameView, HostEventView, IteratorView, ListingLine, MapEntryView, MapSummary, MapView, ObjectSummary, PerfEventView,
  ProgramArg, ProgramSummary, RegView, SourceView, StateView, Status, StopView, StopsView, VerdictView,
} from './vm_types';

type Json = Record<string, unknown>;

// Readers that take whatever core wrote (or nothing) without throwing; host_scripts.ts reads its views with them too.
export const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const bool = (v: unknown): boolean => v === true;

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(BigInt(v));
  if (typeof v === 'bigint') return Number(v);
  return 0;
}

export function u64(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && v !== '') {
    const b = BigInt(v);
    return b < 0n ? BigInt.asUintN(64, b) : b;
  }
  return 0n;
}

export function bytes(v: unknown): Uint8Array {
  return typeof v === 'string' ? parseHex(v) : new Uint8Array(0);
}

// A BTF-decoded C value for display: JSON text of structs/arrays, numbers as they are.
export function cValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}

// JSON.parse, except that integers JavaScript cannot hold exactly (a __u64 counter past 2^53)
// become strings holding their exact digits: core's map values and the C-value editor (which
// takes numbers as strings too) then never round them.
export function parseCoreJson(text: string): unknown {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;  // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    const isDigit = c >= 0x30 && c <= 0x39;
    if (!isDigit && c !== 0x2d) continue;
    let end = i + 1;
    while (end < text.length && /[0-9.eE+-]/.test(text.charAt(end))) end++;
    const literal = text.slice(i, end);
    if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
      out += `${text.slice(from, i)}"${literal}"`;
      from = end;
    }
    i = end - 1;
  }
  return JSON.parse(from === 0 ? text : out + text.slice(from));
}

// A decoded C value as editable JSON text: small values on one line, bigger ones indented.
export function cValueJson(v: unknown): string {
  if (v === undefined) return '';
  const flat = JSON.stringify(v);
  return flat.length <= 60 ? flat : JSON.stringify(v, null, 2);
}

function optNum(v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : num(v);
}

export function errorView(v: unknown): ErrorView {
  const o = obj(v);  // core/json/error_json.hpp
  const pc = optNum(o['pc']);
  const line = optNum(o['line']);
  const section = str(o['section']);
  const map = str(o['map']);
  const src = str(o['source']);
  const message = str(o['message']);
  return {
    kind: str(o['kind']),
    what: str(o['what']),
    hint: str(o['hint']),
    ...(pc !== undefined ? { pc } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(section ? { section } : {}),
    ...(map ? { map } : {}),
    ...(src ? { source: src } : {}),
    ...(message ? { message } : {}),
  };
}

// object_info_json: each program's status comes from core ("runnable" or why it cannot run).
export function objectSummary(v: unknown): ObjectSummary {
  const o = obj(v);
  const programs: ProgramSummary[] = arr(o['programs']).map((p) => {
    const q = obj(p);
    const loadError = q['load_error'];
    return {
      name: str(q['name']), section: str(q['section']), type: str(q['type']), context: str(q['context']),
      typeKnown: q['type_known'] !== false, runnable: q['runnable'] !== false, status: str(q['status']) || 'runnable',
      ...(loadError !== undefined && loadError !== null ? { loadError: errorView(loadError) } : {}),
      ...(Array.isArray(q['args']) ? { argsOf: str(q['args_of']), args: arr(q['args']).map((a) => programArg(a)) } : {}),
    };
  });
  const maps: MapSummary[] = arr(o['maps']).map((m) => mapSummary(m));
  return { programs, maps, entryProgram: str(o['entry_program']) };
}

function programArg(a: unknown): ProgramArg {
  const o = obj(a);
  return {
    name: str(o['name']), type: str(o['type']), offset: num(o['offset']), width: num(o['width']) || 8,
    kind: str(o['kind']), value: u64(o['value']), text: str(o['text']),
    pointer: bool(o['pointer']), signed: bool(o['signed']), size: num(o['size']) || 8, register: str(o['register']),
  };
}

function mapSummary(m: unknown): MapSummary {
  const q = obj(m);
  return {
    id: num(q['id']), name: str(q['name']), type: str(q['type']),
    keySize: num(q['key_size']), valueSize: num(q['value_size']), maxEntries: num(q['max_entries']),
    keyType: str(q['key_type']), valueType: str(q['value_type']),
  };
}

export function listing(v: unknown): ListingLine[] {
  const rows = arr(obj(v)['insns']);
  // "function" is set only where a function starts: carry it to the instructions that follow.
  // The source fields are set only where a new line_info record starts; they stay empty after.
  let fn = '';
  return rows.map((r) => {
    const q = obj(r);
    if (typeof q['function'] === 'string') fn = q['function'];
    return {
      pc: num(q['pc']),
      text: str(q['text']),
      secondSlot: bool(q['second_slot']),
      line: num(q['line']),
      file: str(q['file']),
      source: str(q['source']),
      fn,
    };
  });
}

function source(v: unknown): SourceView {
  const o = obj(v);
  return { file: str(o['file']), line: num(o['line']), text: str(o['text']) };
}

export function perfEvent(v: unknown): PerfEventView {
  const e = obj(v);
  return { map: str(e['map']), cpu: num(e['cpu']), data: str(e['data']), executed: num(e['executed']), pc: num(e['pc']) };
}

export function hostEvent(v: unknown): HostEventView {
  const o = obj(v);
  return { executed: num(o['executed']), pc: num(o['pc']), helper: str(o['helper']), text: str(o['text']) };
}

function reg(v: unknown): RegView {
  const o = obj(v);
  return { value: u64(o['value']), kind: str(o['kind']) || 'scalar', pointsTo: str(o['points_to']), changed: bool(o['changed']) };
}

function frame(v: unknown): FrameView {
  const o = obj(v);
  return {
    depth: num(o['depth']), fn: str(o['function']), callback: str(o['callback']), pc: num(o['pc']),
    source: source(o['source']),
    framePointer: u64(o['fp']), stack: bytes(o['stack']), changed: arr(o['changed']).map(num),
  };
}

function entry(v: unknown): MapEntryView {
  const o = obj(v);
  // key_hex/values_hex: the bytes; key/values: the same decoded through BTF (JSON values).
  const values = arr(o['values_hex']).map(bytes);
  const valueTexts = arr(o['values']).map(cValue);
  return {
    key: bytes(o['key_hex']), values, keyText: str(o['label']) || cValue(o['key']), valueTexts, changed: bool(o['changed']),
    keyJson: cValueJson(o['key']), valueJsons: arr(o['values']).map(cValueJson),
  };
}

function mapView(v: unknown): MapView {
  const o = obj(v);
  return {
    ...mapSummary(v), percpu: bool(o['percpu']), count: num(o['count']), summary: str(o['summary']),
    occupancy: str(o['occupancy']), userUpdate: bool(o['user_update']),
    entries: arr(o['entries']).map(entry), truncated: bool(o['truncated']), changed: bool(o['changed']),
  };
}

function status(v: unknown): Status {
  const s = str(v).toLowerCase();
  return s === 'exited' || s === 'faulted' ? s : 'ready';
}

export function stateView(v: unknown): StateView {
  const o = obj(v);
  const fault = o['fault'];
  return {
    program: str(o['program']),
    pc: num(o['pc']),
    status: status(o['status']),
    executed: num(o['executed']),
    historyStart: num(o['history_start']),
    stopReason: str(o['stop_reason']),
    ...(fault !== undefined && fault !== null ? { fault: errorView(fault) } : {}),
    faultExplanation: str(o['fault_explanation']),
    r0: u64(o['return']),
    returnName: str(o['return_name']),
    regs: arr(o['regs']).map(reg),
    frames: arr(o['frames']).map(frame),
    source: source(o['source']),
    packet: bytes(o['packet']),
    packetChanged: arr(o['packet_changed']).map(num),
    context: bytes(o['context']),
    contextStruct: str(o['context_struct']),
    contextFields: arr(o['context_fields']).map((f): ContextFieldView => {
      const q = obj(f);
      return { name: str(q['name']), offset: num(q['offset']), size: num(q['size']), kind: str(q['kind']) || 'value',
        about: str(q['about']) };
    }),
    maps: arr(o['maps']).map(mapView),
    printk: arr(o['printk']).map(str),
    events: arr(o['events']).map(str),
    perfEvents: arr(o['perf_events']).map(perfEvent),
    hostEvents: arr(o['host_events']).map(hostEvent),
    timer: str(o['timer']),
    timers: arr(o['timers']).map((v) => {
      const t = obj(v);
      return { map: str(t['map']), key: bytes(t['key']), armed: t['armed'] === true, due: t['due'] === true,
        expiresNs: u64(t['expires_ns']), callback: num(t['callback']) };
    }),
    clockNs: u64(o['clock_ns']),
    iterator: o['iterator'] === undefined ? undefined : iteratorView(obj(o['iterator'])),
  };
}

function iteratorView(q: Json): IteratorView {
  return { target: str(q['target']), element: str(q['element']), seqNum: num(q['seq_num']),
    output: str(q['output']), outputHex: str(q['output_hex']) };
}

// stops_json: {"breakpoints":[{"id","pc","condition",..,"hits"}],"watchpoints":[{"id","label","address","length","hits"}]}
export function stopsView(v: unknown): StopsView {
  const o = obj(v);
  return {
    breakpoints: arr(o['breakpoints']).map((b) => {
      const q = obj(b);
      return { id: num(q['id']), pc: num(q['pc']), condition: str(q['condition']), hits: num(q['hits']) };
    }),
    watches: arr(o['watchpoints']).map((w) => {
      const q = obj(w);
      return { id: num(q['id']), label: str(q['label']), address: u64(q['address']), length: num(q['length']), hits: num(q['hits']) };
    }),
  };
}

// explain_json: {"ok":true,"pc","text","class","summary","details":[..],"values","valid","helper_id","current",
//   "helper":null|{"id","name","signature","summary","description","returns","ret_kind","gpl_only",
//             "args":[{"reg","name","type","kind","meaning","value"}]}}
// map_command.hpp's to_json.
export function mapCommandView(v: unknown): MapCommandView {
  const o = obj(v);
  return { ret: num(o['ret']), errno: str(o['errno']), lines: arr(o['lines']).map(str), changed: bool(o['changed']) };
}

export function explainView(v: unknown): ExplainView {
  const o = obj(v);
  const h = o['helper'] === null || o['helper'] === undefined ? null : obj(o['helper']);
  return {
    pc: num(o['pc']), text: str(o['text']), cls: str(o['class']), summary: str(o['summary']),
    details: arr(o['details']).map(str), values: str(o['values']), valid: bool(o['valid']), current: bool(o['current']),
    helper: h && {
      id: num(h['id']), name: str(h['name']), signature: str(h['signature']), summary: str(h['summary']),
      description: str(h['description']), returns: str(h['returns']), retKind: str(h['ret_kind']),
      gplOnly: bool(h['gpl_only']),
      args: arr(h['args']).map((a) => {
        const q = obj(a);
        return { reg: str(q['reg']), name: str(q['name']), type: str(q['type']), kind: str(q['kind']),
          meaning: str(q['meaning']), value: str(q['value']) };
      }),
    },
  };
}

// to_json(Verdict) of core/verifier/verdict_text.cpp: {"program","verdict","processed"} and, unless
// accepted, {"insn","message","source"?}; refused: {"why","fix","path"}.
export function verdictView(v: unknown): VerdictView {
  const o = obj(v);
  const kind = str(o['verdict']);
  return {
    program: str(o['program']),
    verdict: kind === 'refuse' || kind === 'cannot tell' ? kind : 'accept',
    processed: num(o['processed']), insn: num(o['insn']), message: str(o['message']), why: str(o['why']), fix: str(o['fix']),
    source: o['source'] ? source(o['source']) : null,
    path: arr(o['path']).map(num),
  };
}

export function stopView(v: unknown): StopView {
  const o = obj(v);
  return { reason: str(o['reason']), id: num(o['id']), steps: num(o['steps']), fast: o['fast'] === true, fastInsns: num(o['fast_insns']) };
}

// Core's defaults for the page (Playground.default_host_json and defaults_json,
// core/debugger/page_defaults.hpp): the page keeps no copy of them.
export interface CoreDefaults {
  hostJson: string;
  tcpStates: readonly string[];
  progTypes: readonly string[];
  mapTypes: readonly string[];
  // What the Host tab's Add device / Add socket start from, as host JSON members.
  newDevice: Readonly<Record<string, unknown>>;
  newSocket: Readonly<Record<string, unknown>>;
}

export function coreDefaults(hostJson: string, defaultsJson: string): CoreDefaults {
  const o = obj(JSON.parse(defaultsJson));
  return {
    hostJson, tcpStates: arr(o['tcp_states']).map(str), progTypes: arr(o['prog_types']).map(str), mapTypes: arr(o['map_types']).map(str),
    newDevice: obj(o['new_device']), newSocket: obj(o['new_socket']),
  };
}
