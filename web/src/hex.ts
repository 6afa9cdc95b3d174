// Bytes <-> hex text, shared by the packet/context editors, the map editor and the stack dump.

export function toHex(bytes: Uint8Array | readonly number[], sep = ''): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && sep) s += sep;
    s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  }
  return s;
}

// Accepts "de ad be ef", "deadbeef", "0xde,0xad" and newlines; throws with the offending text.
export function parseHex(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s,:;]+/g, '');
  if (cleaned.length % 2 !== 0) throw new Error(`odd number of hex digits (${cleaned.length})`);
  const bad = /[^0-9a-fA-F]/.exec(cleaned);
  if (bad) throw new Error(`"${bad[0]}" is not a hex digit`);
  const out = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(cleaned.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export interface HexRow {
  offset: number;
  cells: { byte: number; index: number }[];
}

export function hexRows(bytes: Uint8Array, width = 16): HexRow[] {
  const rows: HexRow[] = [];
  for (let off = 0; off < bytes.length; off += width) {
    const cells = [];
    for (let i = off; i < Math.min(off + width, bytes.length); i++) cells.push({ byte: bytes[i] ?? 0, index: i });
    rows.push({ offset: off, cells });
  }
  return rows;
}

export function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}
