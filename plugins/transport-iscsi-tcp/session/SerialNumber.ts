/** 32-bit serial number arithmetic (RFC 1982), used for CmdSN, StatSN, DataSN (RFC 7143 4.2.2.1). */
export function snAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function snLessThan(a: number, b: number): boolean {
  a >>>= 0; b >>>= 0;
  return a !== b && ((a < b && b - a < 0x80000000) || (a > b && a - b > 0x80000000));
}

export function snLessOrEqual(a: number, b: number): boolean {
  return (a >>> 0) === (b >>> 0) || snLessThan(a, b);
}
