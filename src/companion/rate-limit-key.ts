const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * The rate-limit bucket of a client address: an IPv4 address as itself, an IPv6 address by its /64
 * (one subscriber usually holds a whole /64, so per-address counting would hand out 2^64 quotas),
 * an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, how a dual-stack Node socket reports IPv4) as
 * the IPv4 address. Undefined for anything that is not an IP address.
 */
export function rateLimitKey(address: string): string | undefined {
  let value = address.trim().toLowerCase();
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
  const zone = value.indexOf('%');
  if (zone >= 0) value = value.slice(0, zone);
  if (IPV4.test(value)) return ipv4(value);
  const groups = ipv6Groups(value);
  if (!groups) return undefined;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

function ipv4(value: string): string | undefined {
  const octets = value.split('.').map(Number);
  return octets.every((octet) => octet <= 255) ? octets.join('.') : undefined;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail), or undefined. */
function ipv6Groups(value: string): number[] | undefined {
  if (!value.includes(':')) return undefined;
  let text = value;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (dotted?.[1] && dotted[2]) {
    const v4 = ipv4(dotted[2]);
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    // "::ffff:1.2.3.4" → "::ffff:" + tail; a trailing single colon is part of the tail's place.
    text = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  if (![...left, ...right].every((group) => HEX_GROUP.test(group))) return undefined;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...left.map((group) => parseInt(group, 16)), ...zeros, ...right.map((group) => parseInt(group, 16)), ...tail];
}
