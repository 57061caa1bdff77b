/**
 * LUN sizes as people write them: plain bytes, or a number with a unit.
 * K/M/G/T are binary, as tgt's `size=` takes them (10G = 10 GiB); KiB/MiB/...
 * say the same thing explicitly. Fractions are allowed when the result is a
 * whole number of bytes (1.5G).
 */
const UNIT: Record<string, number> = {
  '': 1, b: 1,
  k: 2 ** 10, kb: 2 ** 10, kib: 2 ** 10,
  m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20,
  g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30,
  t: 2 ** 40, tb: 2 ** 40, tib: 2 ** 40,
};

/** Bytes for `value`, or an Error saying what is accepted. */
export function parseSize(value: string | number): number | Error {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) return new Error(`must be a positive whole number of bytes, got ${value}`);
    return value;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m ? UNIT[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    return new Error(`must be a size like 1GiB, 512MiB, 10G or a number of bytes, got '${value}'`);
  }
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes)) return new Error(`'${value}' is not a whole number of bytes (or is too large)`);
  if (bytes <= 0) return new Error(`must be larger than 0, got '${value}'`);
  return bytes;
}

/** 1073741824 → '1GiB', 1000 → '1000B'; for messages. */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return `${bytes}B`;
}
