/**
 * The `cidr` modifier: "The value is handled as an CIDR by backends. Supports both IPv4 and
 * IPv6 notations" (Sigma modifiers appendix v2.1.0). Addresses are 8 sixteen-bit groups;
 * an IPv4 address or network is its own family (`::ffff:10.0.0.1` is IPv6 and is not in
 * `10.0.0.0/8`), as Python's `ipaddress` (pySigma's matcher) compares them.
 */
export interface CidrNetwork {
  readonly family: 4 | 6;
  /** The network address as 16-bit groups (2 for IPv4, 8 for IPv6), host bits cleared. */
  readonly groups: readonly number[];
  readonly prefix: number;
  readonly text: string;
}

/** Dotted quad, decimal octets without leading zeros (`010.0.0.1` is ambiguous octal: not an address). */
function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
}

/** RFC 4291 text forms: `::` once, 1–4 hex digits per group, a trailing dotted quad. No zone (`%eth0`). */
function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (last && k === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (v4 === undefined) return undefined;
        for (const byte of v4) out.push(byte);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  if (halves.length === 1) {
    const groups = groupsOf(halves[0]!, true);
    return groups !== undefined && groups.length === 8 ? groups : undefined;
  }
  const head = groupsOf(halves[0]!, false);
  const tail = groupsOf(halves[1]!, true);
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** An IP address's family and groups, or undefined when the text is not one. */
export function parseIpAddress(text: string): { family: 4 | 6; groups: number[] } | undefined {
  if (text.includes(':')) {
    const groups = parseIPv6(text);
    return groups === undefined ? undefined : { family: 6, groups };
  }
  const groups = parseIPv4(text);
  return groups === undefined ? undefined : { family: 4, groups };
}

/**
 * `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Host bits set in the
 * address are cleared (`10.1.2.3/8` is `10.0.0.0/8`). Undefined when not a network.
 */
export function parseCidr(text: string): CidrNetwork | undefined {
  const slash = text.indexOf('/');
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > bits) return undefined;
    prefix = Number(p);
  }
  const groups = address.groups.map((g, k) => g & groupMask(prefix, k));
  return { family: address.family, groups, prefix, text };
}

/** The mask of group `k` (16 bits each) for a prefix length. */
function groupMask(prefix: number, k: number): number {
  const inGroup = Math.max(0, Math.min(16, prefix - k * 16));
  return inGroup === 0 ? 0 : (0xffff << (16 - inGroup)) & 0xffff;
}

/** True if `text` is an address of the network's family inside it. */
export function cidrContains(network: CidrNetwork, text: string): boolean {
  const address = parseIpAddress(text);
  if (address === undefined || address.family !== network.family) return false;
  for (let k = 0; k < network.groups.length; k++) {
    if ((address.groups[k]! & groupMask(network.prefix, k)) !== network.groups[k]) return false;
  }
  return true;
}
