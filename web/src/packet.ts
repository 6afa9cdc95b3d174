// Packets built from fields: Ethernet + IPv4/IPv6 + TCP/UDP/ICMP(v6), with correct lengths and
// checksums, so a learner's XDP/TC program sees what a kernel would. Pure: no DOM, no wasm.

export type L4 = 'tcp' | 'udp' | 'icmp';

export interface TcpFlags {
  fin: boolean;
  syn: boolean;
  rst: boolean;
  psh: boolean;
  ack: boolean;
  urg: boolean;
}

export interface PacketSpec {
  ethSrc: string;  // "02:00:00:00:00:01"
  ethDst: string;
  ipVersion: 4 | 6;
  src: string;     // "10.0.0.1" or "fd00::1"
  dst: string;
  ttl: number;     // hop limit for IPv6
  proto: L4;
  srcPort: number;
  dstPort: number;
  tcpFlags: TcpFlags;
  seq: number;
  ack: number;
  window: number;
  icmpType: number;  // echo request: 8 (IPv4) / 128 (IPv6)
  icmpCode: number;
  icmpId: number;
  icmpSeq: number;
  payload: string;   // text, UTF-8 encoded
}

const noFlags: TcpFlags = { fin: false, syn: false, rst: false, psh: false, ack: false, urg: false };

export const kProtoNumbers = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 } as const;

export function parseMac(text: string): Uint8Array {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`"${text}" is not a MAC address (six hex bytes like 02:00:00:00:00:01)`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function parseIPv4(text: string): Uint8Array {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`"${text}" is not an IPv4 address (four numbers 0-255 like 10.0.0.1)`);
  }
  return Uint8Array.from(parts.map(Number));
}

export function parseIPv6(text: string): Uint8Array {
  const bad = (): Error => new Error(`"${text}" is not an IPv6 address (like fd00::1)`);
  let t = text.trim();
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (v4?.[1]) {  // ::ffff:10.0.0.1
    const b = parseIPv4(v4[1]);
    tail = [((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0)];
    t = t.slice(0, t.length - v4[1].length);
    if (t.endsWith(':') && !t.endsWith('::')) t = t.slice(0, -1);
  }
  const halves = t.split('::');
  if (halves.length > 2) throw bad();
  const groups = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
      return parseInt(g, 16);
    });
  const head = groups(halves[0] ?? '');
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const given = head.length + rest.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (given > 7) throw bad();
    words = [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  } else {
    if (given !== 8) throw bad();
    words = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

// RFC 1071 one's-complement sum over `parts` (concatenated), folded and inverted.
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;  // an odd-length part leaves a high byte waiting for its partner
  let pending = 0;
  for (const p of parts) {
    for (const b of p) {
      if (odd) {
        sum += pending | b;
        odd = false;
      } else {
        pending = b << 8;
        odd = true;
      }
    }
  }
  if (odd) sum += pending;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function be16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}
function be32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function tcpFlagsByte(f: TcpFlags): number {
  return (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (f.psh ? 8 : 0) | (f.ack ? 16 : 0) | (f.urg ? 32 : 0);
}

function l4Header(spec: PacketSpec, payloadLen: number): Uint8Array {
  switch (spec.proto) {
    case 'tcp':
      return Uint8Array.from([
        ...be16(spec.srcPort), ...be16(spec.dstPort), ...be32(spec.seq), ...be32(spec.ack),
        0x50, tcpFlagsByte(spec.tcpFlags), ...be16(spec.window), 0, 0, 0, 0,  // data offset 5 words
      ]);
    case 'udp':
      return Uint8Array.from([...be16(spec.srcPort), ...be16(spec.dstPort), ...be16(8 + payloadLen), 0, 0]);
    case 'icmp':
      return Uint8Array.from([spec.icmpType, spec.icmpCode, 0, 0, ...be16(spec.icmpId), ...be16(spec.icmpSeq)]);
  }
}

// Offset of the checksum field inside each L4 header.
const kChecksumOffset: Record<L4, number> = { tcp: 16, udp: 6, icmp: 2 };

export function buildPacket(spec: PacketSpec): Uint8Array {
  const payload = new TextEncoder().encode(spec.payload);
  const l4 = l4Header(spec, payload.length);
  const segment = new Uint8Array(l4.length + payload.length);
  segment.set(l4);
  segment.set(payload, l4.length);
  const v6 = spec.ipVersion === 6;
  const src = v6 ? parseIPv6(spec.src) : parseIPv4(spec.src);
  const dst = v6 ? parseIPv6(spec.dst) : parseIPv4(spec.dst);
  const protoNumber = spec.proto === 'icmp' ? (v6 ? kProtoNumbers.icmpv6 : kProtoNumbers.icmp) : kProtoNumbers[spec.proto];

  // ICMPv4 has no pseudo-header; TCP, UDP and ICMPv6 do.
  let sum: number;
  if (spec.proto === 'icmp' && !v6) {
    sum = internetChecksum(segment);
  } else {
    const pseudo = v6
      ? Uint8Array.from([...src, ...dst, ...be32(segment.length), 0, 0, 0, protoNumber])
      : Uint8Array.from([...src, ...dst, 0, protoNumber, ...be16(segment.length)]);
    sum = internetChecksum(pseudo, segment);
    if (spec.proto === 'udp' && sum === 0) sum = 0xffff;  // 0 means "no checksum" in UDP
  }
  const at = kChecksumOffset[spec.proto];
  segment[at] = sum >> 8;
  segment[at + 1] = sum & 0xff;

  let ip: Uint8Array;
  if (v6) {
    ip = Uint8Array.from([0x60, 0, 0, 0, ...be16(segment.length), protoNumber, spec.ttl & 0xff, ...src, ...dst]);
  } else {
    ip = Uint8Array.from([
      0x45, 0, ...be16(20 + segment.length), 0, 1, 0x40, 0,  // id 1, don't fragment
      spec.ttl & 0xff, protoNumber, 0, 0, ...src, ...dst,
    ]);
    const c = internetChecksum(ip);
    ip[10] = c >> 8;
    ip[11] = c & 0xff;
  }
  const eth = Uint8Array.from([...parseMac(spec.ethDst), ...parseMac(spec.ethSrc), ...be16(v6 ? 0x86dd : 0x0800)]);
  const out = new Uint8Array(eth.length + ip.length + segment.length);
  out.set(eth);
  out.set(ip, eth.length);
  out.set(segment, eth.length + ip.length);
  return out;
}

const base: PacketSpec = {
  ethSrc: '02:00:00:00:00:01',
  ethDst: '02:00:00:00:00:02',
  ipVersion: 4,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  ttl: 64,
  proto: 'tcp',
  srcPort: 40000,
  dstPort: 8080,
  tcpFlags: { ...noFlags, syn: true },
  seq: 1000,
  ack: 0,
  window: 65535,
  icmpType: 8,
  icmpCode: 0,
  icmpId: 1,
  icmpSeq: 1,
  payload: '',
};

export const kPresets: Readonly<Record<string, PacketSpec>> = {
  'IPv4 TCP SYN': base,
  'IPv4 UDP DNS': { ...base, proto: 'udp', srcPort: 53000, dstPort: 53, payload: 'query' },
  'IPv4 ICMP echo': { ...base, proto: 'icmp', payload: 'ping' },
  'IPv4 UDP echo (port 7)': { ...base, proto: 'udp', srcPort: 40000, dstPort: 7, payload: 'echo' },
  'IPv6 TCP SYN': { ...base, ipVersion: 6, src: 'fd00::1', dst: 'fd00::2' },
  'IPv6 UDP': { ...base, ipVersion: 6, src: 'fd00::1', dst: 'fd00::2', proto: 'udp', srcPort: 5353, dstPort: 5353, payload: 'hello' },
  'IPv6 ICMPv6 echo': { ...base, ipVersion: 6, src: 'fd00::1', dst: 'fd00::2', proto: 'icmp', icmpType: 128, payload: 'ping' },
};

export const kDefaultPreset = 'IPv4 TCP SYN';
