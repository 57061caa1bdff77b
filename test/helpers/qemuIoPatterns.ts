/**
 * The pattern extents the qemu-io end-to-end tests write and verify:
 * [offset, length, pattern byte], lengths from one block to 8 MiB, none a
 * multiple of 8 KiB beyond the first, so they cross data segment and burst
 * boundaries at odd places. The LUN must hold at least 48 MiB.
 */
export const PATTERN_EXTENTS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 512, 0x11],
  [512, 4096, 0x22],
  [3 * 4096 + 512, 65536 + 512, 0x33],
  [(1 << 20) - 512, 262144 + 1024, 0x44],
  [3 << 20, (1 << 20) + 3 * 512, 0x55],
  [(8 << 20) + 512, 8 << 20, 0x66],
  [(40 << 20) + 7 * 512, 24576 + 512, 0x77],
];

/** qemu-io `-c` arguments writing every extent. */
export function patternWriteCommands(): string[] {
  return PATTERN_EXTENTS.flatMap(([off, len, p]) => ['-c', `write -P ${p} ${off} ${len}`]);
}

/** qemu-io `-c` arguments verifying every extent, and that 1 MiB never written at 32 MiB reads as zeros. */
export function patternVerifyCommands(): string[] {
  return [
    ...PATTERN_EXTENTS.flatMap(([off, len, p]) => ['-c', `read -P ${p} ${off} ${len}`]),
    '-c', `read -P 0 ${32 << 20} ${1 << 20}`,
  ];
}
