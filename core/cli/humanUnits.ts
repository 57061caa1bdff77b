/** Numbers as a person reads them in a table: sizes, durations, latencies. */

/** 1536 → '1.5KiB', 1073741824 → '1GiB'. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 || Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${text}${units[i]}`;
}

/** 3725 → '1h 2m 5s'. */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', `${s % 60}s`].filter(Boolean);
  return parts.slice(0, 3).join(' ');
}

/** Microseconds → '850us', '12ms', '1.2s'. */
export function humanMicros(us: number): string {
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1_000_000) return `${Number((us / 1000).toPrecision(3))}ms`;
  return `${Number((us / 1_000_000).toPrecision(3))}s`;
}
