// A map entry's C values (core decodes them through BTF into JSON values) as the Maps tab shows
// and edits them.
import type { MapEntryView } from './vm_types';

// A C value core decoded through BTF, for display: JSON text of structs and arrays, numbers as
// they are (a u64 past 2^53 arrives as a string of its digits: parseCoreJson).
export function cValueText(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined ? '' : JSON.stringify(v);
}

// The same as editable JSON text (what core's encoder reads back): small values on one line,
// bigger ones indented.
export function cValueJson(v: unknown): string {
  if (v === undefined) return '';
  const flat = JSON.stringify(v);
  return flat.length <= 60 ? flat : JSON.stringify(v, null, 2);
}

// An entry's key as the Maps tab names it: core's label where it has one ("10.0.0.0/8",
// "#0 (front: popped next)"), else the key decoded through BTF.
export const entryKeyText = (e: MapEntryView): string => e.label || cValueText(e.key);
