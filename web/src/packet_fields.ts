// Names the bytes of a packet: Ethernet, then IPv4 or IPv6, then TCP, UDP, ICMP or ICMPv6, as
// the program's parser would walk them. Pure (unit-tested); the packet pane paints and labels
// bytes with it. Only fields that lie wholly inside the packet are named: a truncated header
// ends the walk, as a bounds check would.

export type Layer = 'Ethernet' | 'VLAN' | 'IPv4' | 'IPv6' | 'TCP' | 'UDP' | 'ICMP' | 'ICMPv6' | 'Payload';

export interface PacketField {
  readonly layer: Layer;
  readonly name: string;    // "ttl", "checksum": the member name in the kernel's header struct
  readonly offset: number;  // from the packet's first byte
  readonly length: number;
  readonly value: string;   // as a learner reads it: "64", "10.0.0.1", "0x0800 (IPv4)", "SYN ACK"
}

const kEtherTypes: Record<number, string> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8100: 'VLAN' };
const kProtocols: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };
const kTcpFlags = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;

class Walker {
  readonly fields: PacketField[] = [];
  constructor(readonly p: Uint8Array) {}

  has(offset: number, length: number): boolean {
    return offset + length <= this.p.length;
  }
  u8(o: number): number {
    return this.p[o] ?? 0;
  }
  u16(o: number): number {
    return (this.u8(o) << 8) | this.u8(o + 1);  // network byte order
  }
  u32(o: number): number {
    return this.u16(o) * 0x10000 + this.u16(o + 2);
  }
  // Adds the field when it fits; false (and nothing added) when the packet ends first.
  add(layer: Layer, name: string, offset: number, length: number, value: (o: number) => string): boolean {
    if (!this.has(offset, length)) return false;
    this.fields.push({ layer, name, offset, length, value: value(offset) });
    return true;
  }
  mac = (o: number): string => Array.from(this.p.subarray(o, o + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
  ipv4 = (o: number): string => Array.from(this.p.subarray(o, o + 4)).join('.');
  ipv6 = (o: number): string => {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(this.u16(o + i).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  };
}

function ethernet(w: Walker): void {
  w.add('Ethernet', 'h_dest', 0, 6, w.mac);
  w.add('Ethernet', 'h_source', 6, 6, w.mac);
  let at = 12;
  let type = w.u16(at);
  if (!w.add('Ethernet', 'h_proto', at, 2, () => `${hex(type, 4)} (${kEtherTypes[type] ?? 'other'})`)) return;
  at += 2;
  while (type === 0x8100 || type === 0x88a8) {  // 802.1Q / 802.1ad tags before the real type
    if (!w.add('VLAN', 'tci', at, 2, (o) => `vlan ${w.u16(o) & 0xfff}, priority ${w.u16(o) >> 13}`)) return;
    type = w.u16(at + 2);
    if (!w.add('VLAN', 'encapsulated_proto', at + 2, 2, () => `${hex(type, 4)} (${kEtherTypes[type] ?? 'other'})`)) return;
    at += 4;
  }
  if (type === 0x0800) ipv4(w, at);
  else if (type === 0x86dd) ipv6(w, at);
  else payload(w, at);
}

function ipv4(w: Walker, at: number): void {
  const ihl = w.u8(at) & 0xf;
  if (!w.add('IPv4', 'version, ihl', at, 1, (o) => `${w.u8(o) >> 4}, ${ihl} (${ihl * 4}-byte header)`)) return;
  w.add('IPv4', 'tos', at + 1, 1, (o) => hex(w.u8(o), 2));
  w.add('IPv4', 'tot_len', at + 2, 2, (o) => String(w.u16(o)));
  w.add('IPv4', 'id', at + 4, 2, (o) => String(w.u16(o)));
  w.add('IPv4', 'frag_off', at + 6, 2, (o) => {
    const v = w.u16(o);
    return `${v & 0x4000 ? 'DF ' : ''}${v & 0x2000 ? 'MF ' : ''}offset ${(v & 0x1fff) * 8}`;
  });
  w.add('IPv4', 'ttl', at + 8, 1, (o) => String(w.u8(o)));
  const proto = w.u8(at + 9);
  w.add('IPv4', 'protocol', at + 9, 1, () => `${proto} (${kProtocols[proto] ?? 'other'})`);
  w.add('IPv4', 'check', at + 10, 2, (o) => hex(w.u16(o), 4));
  w.add('IPv4', 'saddr', at + 12, 4, w.ipv4);
  if (!w.add('IPv4', 'daddr', at + 16, 4, w.ipv4) || ihl < 5) return;
  if (ihl > 5 && !w.add('IPv4', 'options', at + 20, (ihl - 5) * 4, () => `${(ihl - 5) * 4} bytes`)) return;
  transport(w, proto, at + ihl * 4);
}

function ipv6(w: Walker, at: number): void {
  if (!w.add('IPv6', 'version, class, flow', at, 4, (o) => `${w.u8(o) >> 4}, ${hex((w.u16(o) >> 4) & 0xff, 2)}, ${hex(w.u32(o) & 0xfffff, 5)}`)) return;
  w.add('IPv6', 'payload_len', at + 4, 2, (o) => String(w.u16(o)));
  const next = w.u8(at + 6);
  w.add('IPv6', 'nexthdr', at + 6, 1, () => `${next} (${kProtocols[next] ?? 'other'})`);
  w.add('IPv6', 'hop_limit', at + 7, 1, (o) => String(w.u8(o)));
  w.add('IPv6', 'saddr', at + 8, 16, w.ipv6);
  if (!w.add('IPv6', 'daddr', at + 24, 16, w.ipv6)) return;
  transport(w, next, at + 40);
}

function transport(w: Walker, proto: number, at: number): void {
  const port = (o: number): string => String(w.u16(o));
  const check = (o: number): string => hex(w.u16(o), 4);
  if (proto === 6) {
    w.add('TCP', 'source', at, 2, port);
    w.add('TCP', 'dest', at + 2, 2, port);
    w.add('TCP', 'seq', at + 4, 4, (o) => String(w.u32(o)));
    w.add('TCP', 'ack_seq', at + 8, 4, (o) => String(w.u32(o)));
    const doff = w.u8(at + 12) >> 4;
    w.add('TCP', 'doff, flags', at + 12, 2, (o) => {
      const flags = kTcpFlags.filter((_, i) => w.u8(o + 1) & (1 << i));
      return `${doff} (${doff * 4}-byte header), ${flags.join(' ') || 'none'}`;
    });
    w.add('TCP', 'window', at + 14, 2, port);
    w.add('TCP', 'check', at + 16, 2, check);
    if (!w.add('TCP', 'urg_ptr', at + 18, 2, port) || doff < 5) return;
    if (doff > 5 && !w.add('TCP', 'options', at + 20, (doff - 5) * 4, () => `${(doff - 5) * 4} bytes`)) return;
    payload(w, at + doff * 4);
  } else if (proto === 17) {
    w.add('UDP', 'source', at, 2, port);
    w.add('UDP', 'dest', at + 2, 2, port);
    w.add('UDP', 'len', at + 4, 2, port);
    if (!w.add('UDP', 'check', at + 6, 2, check)) return;
    payload(w, at + 8);
  } else if (proto === 1 || proto === 58) {
    const layer = proto === 1 ? 'ICMP' : 'ICMPv6';
    w.add(layer, 'type', at, 1, (o) => String(w.u8(o)));
    w.add(layer, 'code', at + 1, 1, (o) => String(w.u8(o)));
    w.add(layer, 'checksum', at + 2, 2, check);
    if (!w.add(layer, 'id, sequence', at + 4, 4, (o) => `${w.u16(o)}, ${w.u16(o + 2)}`)) return;
    payload(w, at + 8);
  } else {
    payload(w, at);
  }
}

function payload(w: Walker, at: number): void {
  const n = Math.max(0, w.p.length - at);
  if (n > 0) w.add('Payload', 'data', at, n, () => `${n} byte${n === 1 ? '' : 's'}`);
}

export function packetFields(packet: Uint8Array): PacketField[] {
  const w = new Walker(packet);
  ethernet(w);
  return w.fields;
}

// The field each byte belongs to (undefined for bytes no header names).
export function fieldAt(fields: readonly PacketField[], packetLength: number): (PacketField | undefined)[] {
  const at: (PacketField | undefined)[] = new Array(packetLength).fill(undefined);
  for (const f of fields) for (let i = f.offset; i < f.offset + f.length && i < packetLength; i++) at[i] = f;
  return at;
}

// One line per header for the legend: "IPv4 10.0.0.1 → 10.0.0.2, ttl 64", "TCP 40000 → 8080 SYN".
export function layerSummaries(fields: readonly PacketField[]): { layer: Layer; text: string }[] {
  const layers = [...new Set(fields.map((f) => f.layer))];
  return layers.map((layer) => {
    const v = (name: string): string => fields.find((f) => f.layer === layer && f.name === name)?.value ?? '?';
    const has = (name: string): boolean => fields.some((f) => f.layer === layer && f.name === name);
    switch (layer) {
      case 'IPv4': return { layer, text: `IPv4 ${v('saddr')} → ${v('daddr')}${has('ttl') ? `, ttl ${v('ttl')}` : ''}` };
      case 'IPv6': return { layer, text: `IPv6 ${v('saddr')} → ${v('daddr')}${has('hop_limit') ? `, hop limit ${v('hop_limit')}` : ''}` };
      case 'TCP': return { layer, text: `TCP ${v('source')} → ${v('dest')}${has('doff, flags') ? ` ${v('doff, flags').replace(/^.*, /, '')}` : ''}` };
      case 'UDP': return { layer, text: `UDP ${v('source')} → ${v('dest')}` };
      case 'ICMP':
      case 'ICMPv6': return { layer, text: `${layer} type ${v('type')}, code ${v('code')}` };
      case 'Payload': return { layer, text: `payload ${v('data')}` };
      default: return { layer, text: layer };
    }
  });
}
