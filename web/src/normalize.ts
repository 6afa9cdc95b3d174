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
  if (schema === 'object') return isObject(v) ? [] : bad('not an object');
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
