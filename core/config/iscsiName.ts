/**
 * iSCSI name checks (RFC 7143 4.2.7, RFC 3722 stringprep, RFC 3980 for naa.).
 *   iqn.2026-11.io.lunhost:disk1   iqn. + yyyy-mm + . + reversed domain [+ : + anything]
 *   eui.02004567A425678D           eui. + 16 hex digits
 *   naa.52004567BA64678D           naa. + 16 or 32 hex digits
 */
export interface NameCheck {
  /** Why the name is not valid, or null. */
  readonly error: string | null;
  /** Accepted, but outside the RFC (e.g. '_' as in the tgt Curve guide's iqn.2022-01.org.opencurve_io). */
  readonly warning: string | null;
}

const MAX_BYTES = 223;

export function checkIscsiName(name: string): NameCheck {
  const ok = (warning: string | null = null): NameCheck => ({ error: null, warning });
  const bad = (error: string): NameCheck => ({ error, warning: null });
  if (Buffer.byteLength(name) > MAX_BYTES) return bad(`iSCSI names are at most ${MAX_BYTES} bytes, this one is ${Buffer.byteLength(name)}`);
  const lower = name.toLowerCase();
  if (lower.startsWith('eui.')) {
    return /^eui\.[0-9a-f]{16}$/i.test(name) ? ok() : bad(`'${name}' is not an EUI name: use eui. followed by 16 hex digits, e.g. eui.02004567a425678d`);
  }
  if (lower.startsWith('naa.')) {
    return /^naa\.([0-9a-f]{16}|[0-9a-f]{32})$/i.test(name) ? ok() : bad(`'${name}' is not an NAA name: use naa. followed by 16 or 32 hex digits`);
  }
  if (!lower.startsWith('iqn.')) {
    return bad(`'${name}' is not an iSCSI name: it must start with iqn., eui. or naa. (e.g. iqn.2026-11.io.lunhost:disk1)`);
  }
  if (name !== lower) return bad(`iSCSI names are lower case (RFC 3722): write '${lower}'`);
  const m = /^iqn\.(\d{4})-(\d{2})\.([^:]+)(?::(.*))?$/.exec(name);
  if (!m) return bad(`'${name}' is not an IQN: use iqn.<yyyy-mm>.<reversed domain>[:<unique name>], e.g. iqn.2026-11.io.lunhost:disk1`);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return bad(`'${name}': the month in iqn.${m[1]}-${m[2]} must be 01..12`);
  const domain = m[3]!;
  const rest = m[4] ?? '';
  if (!/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/.test(domain)) {
    return bad(`'${name}': '${domain}' is not a reversed domain name (letters, digits, '-' and '.' only)`);
  }
  if (rest !== '' && !/^[a-z0-9.:_-]+$/.test(rest)) {
    return bad(`'${name}': after ':' only letters, digits, '.', '-', ':' are allowed`);
  }
  if (name.includes('_')) {
    return ok(`'${name}' contains '_', which RFC 3722 does not allow; most initiators accept it, some may not`);
  }
  return ok();
}
