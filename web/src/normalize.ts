// The page reads core's JSON as it is written: a view's type (vm_types.ts) is core's JSON shape,
// key for key, declared once as a schema. The decoder changes only what JSON cannot carry
// exactly: u64 values ("0x..." or decimal strings) become bigint, byte buffers (hex strings)
// become Uint8Array. It supplies no defaults: the contract test (contract.test.ts) checks each
// schema against core's own output (tests/contract/*.json), so a key renamed on one side fails.
import { parseHex } from './hex';
import type { Decoded, Field, Schema } from './view_schema';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = <K extends string>(f: Field, key: K): f is Extract<Field, Record<K, unknown>> =>
  typeof f === 'object' && key in f && Object.keys(f).length === 1;

function u64Of(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  const b = BigInt(String(v));
  return b < 0n ? BigInt.asUintN(64, b) : b;
}

function decodeField(f: Field, v: unknown): unknown {
  if (f === 'u64') return v === undefined || v === null ? v : u64Of(v);
  if (f === 'bytes') return typeof v === 'string' ? parseHex(v) : v;
  if (typeof f === 'string' || has(f, 'oneOf')) return v;
  if (has(f, 'list')) return Array.isArray(v) ? v.map((e) => decodeField(f.list, e)) : v;
  if (has(f, 'opt')) return decodeField(f.opt, v);
  if (has(f, 'orNull')) return v === null ? null : decodeField(f.orNull, v);
  if (!isObject(v)) return v;
  // Only the schema's keys: what core writes for its other users (the CLI) stays out of the view.
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(f as Schema)) if (key in v) out[key] = decodeField(sub, v[key]);
  return out;
}

// Core's JSON (as parsed by parseCoreJson) as the view `schema` declares.
export function decode<S extends Schema>(schema: S, v: unknown): Decoded<S> {
  return decodeField(schema, v) as Decoded<S>;
}

// Where core's JSON `v` differs from `schema`: a key the schema declares that core does not
// write, a value of another kind, a name outside a oneOf. Keys core writes beyond the schema are
// allowed (the CLI reads them). Empty when the page reads exactly what core writes.
export function mismatches(schema: Field, v: unknown, path = '$'): string[] {
  const bad = (what: string): string[] => [`${path}: ${what}, got ${JSON.stringify(v)}`];
  if (schema === 'json') return [];
  if (schema === 'string' || schema === 'number' || schema === 'boolean') return typeof v === schema ? [] : bad(`not a ${schema}`);
  if (schema === 'u64') {
    return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^(0x[0-9a-f]+|-?\d+)$/.test(v)) ? [] : bad('not a u64');
  }
  if (schema === 'bytes') return typeof v === 'string' && /^([0-9a-f]{2})*$/.test(v) ? [] : bad('not hex bytes');
  if (has(schema, 'oneOf')) return typeof v === 'string' && schema.oneOf.includes(v) ? [] : bad(`not one of ${schema.oneOf.join(', ')}`);
  if (has(schema, 'list')) return Array.isArray(v) ? v.flatMap((e, i) => mismatches(schema.list, e, `${path}[${i}]`)) : bad('not a list');
  if (has(schema, 'opt')) return v === undefined ? [] : mismatches(schema.opt, v, path);
  if (has(schema, 'orNull')) return v === null ? [] : mismatches(schema.orNull, v, path);
  if (!isObject(v)) return bad('not an object');
  return Object.entries(schema as Schema).flatMap(([key, sub]) =>
    key in v || has(sub, 'opt') ? mismatches(sub, v[key], `${path}.${key}`) : [`${path}.${key}: core does not write it`]);
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

// ---- the hand-written readers still in use, replaced view by view ----
import type {
  ContextFieldView, ErrorView, FrameView, HostEventView, IteratorView, MapEntryView, MapView,
  RegView, SourceView, StateView, Status,
} from './vm_types';
import { kErrorView } from './vm_types';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
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


// A decoded C value as editable JSON text: small values on one line, bigger ones indented.
export function cValueJson(v: unknown): string {
  if (v === undefined) return '';
  const flat = JSON.stringify(v);
  return flat.length <= 60 ? flat : JSON.stringify(v, null, 2);
}

const errorView = (v: unknown): ErrorView => decode(kErrorView, v);





function source(v: unknown): SourceView {
  const o = obj(v);
  return { file: str(o['file']), line: num(o['line']), text: str(o['text']) };
}

function hostEvent(v: unknown): HostEventView {
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
    id: num(o['id']), name: str(o['name']), type: str(o['type']),
    keySize: num(o['key_size']), valueSize: num(o['value_size']), maxEntries: num(o['max_entries']),
    keyType: str(o['key_type']), valueType: str(o['value_type']), percpu: bool(o['percpu']), count: num(o['count']), summary: str(o['summary']),
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
    perfEvents: arr(o['perf_events']).map((v) => {
      const e = obj(v);
      return { map: str(e['map']), cpu: num(e['cpu']), data: str(e['data']), executed: num(e['executed']), pc: num(e['pc']) };
    }),
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
