/**
 * Decides whether an initiator may see / log in to a target, from the
 * target's bindings: ALL, or entries matching the initiator name (exact or
 * glob with * and ?, case-insensitive like iSCSI names) and/or the remote
 * address (an IP or a CIDR, IPv4 or IPv6). Both parts of one entry must match;
 * any entry matching admits. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1, what
 * a dual-stack socket reports) match IPv4 rules and vice versa.
 */
import net from 'node:net';
import type { BindingDecl } from '../config/Declaration.js';

/** An address as (family, 32- or 128-bit integer); mapped IPv6 becomes IPv4. */
interface IpValue {
  readonly v6: boolean;
  readonly value: bigint;
}

interface IpRange extends IpValue {
  readonly prefix: number;
}

export type Admit = (initiatorName: string, remoteAddress: string) => boolean;

export function compileBindings(bindings: readonly BindingDecl[]): Admit {
  if (bindings.some((b) => b.kind === 'all')) return () => true;
  const rules = bindings.map((b) => {
    if (b.kind === 'all') return () => true;
    const name = b.initiator === null ? null : globToRegExp(b.initiator);
    const range = b.address === null ? null : parseRange(b.address);
    if (b.address !== null && range === null) throw new Error(`binding address '${b.address}' is not an IP address or CIDR`);
    return (initiator: string, remote: string): boolean => {
      if (name && !name.test(initiator)) return false;
      if (range) {
        const ip = parseIp(remote);
        if (!ip || !inRange(ip, range)) return false;
      }
      return true;
    };
  });
  return (initiator, remote) => rules.some((r) => r(initiator, remote));
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** '10.0.0.0/8', '2001:db8::/32', '192.168.1.7' (a /32), '::ffff:10.0.0.0/104'; null if invalid. */
export function parseRange(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const ipText = slash < 0 ? text : text.slice(0, slash);
  const family = net.isIP(ipText);
  if (family === 0) return null;
  const bits = family === 6 ? 128 : 32;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return null;
    prefix = Number(p);
  }
  const raw = family === 6 ? ipv6ToBigInt(ipText) : ipv4ToBigInt(ipText);
  if (family === 6 && isMapped(raw)) {
    // ::ffff:a.b.c.d/len covers IPv4 only when len >= 96.
    if (prefix >= 96) return { v6: false, value: raw & 0xffffffffn, prefix: prefix - 96 };
  }
  return { v6: family === 6, value: raw, prefix };
}

export function parseIp(text: string): IpValue | null {
  const family = net.isIP(text);
  if (family === 4) return { v6: false, value: ipv4ToBigInt(text) };
  if (family !== 6) return null;
  const raw = ipv6ToBigInt(text);
  return isMapped(raw) ? { v6: false, value: raw & 0xffffffffn } : { v6: true, value: raw };
}

function inRange(ip: IpValue, range: IpRange): boolean {
  if (ip.v6 !== range.v6) return false;
  const bits = ip.v6 ? 128n : 32n;
  const shift = bits - BigInt(range.prefix);
  return ip.value >> shift === range.value >> shift;
}

function isMapped(v: bigint): boolean {
  return v >> 32n === 0xffffn;
}

function ipv4ToBigInt(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(text: string): bigint {
  let t = text.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (quad) {
    const v = ipv4ToBigInt(quad[1]!);
    t = t.slice(0, quad.index) + `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') as [string, string] : [t, null];
  const h = head ? head.split(':') : [];
  const tl = tail === null ? [] : tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...new Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
