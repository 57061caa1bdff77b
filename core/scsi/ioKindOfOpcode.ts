/**
 * Which LUN counter a command counts under, by operation code: medium reads
 * (READ), medium writes (WRITE, WRITE AND VERIFY, WRITE SAME, ORWRITE, COMPARE AND
 * WRITE, WRITE ATOMIC), everything else (INQUIRY, READ CAPACITY, TEST UNIT READY,
 * SYNCHRONIZE CACHE, ...) as Other, so "reads" means what iostat means.
 * A table indexed by cdb[0]: one array load per command.
 */
import { IoKind } from '../management/LunCounters.js';

const TABLE = new Uint8Array(256).fill(IoKind.Other);
for (const op of [0x08, 0x28, 0xa8, 0x88]) TABLE[op] = IoKind.Read;
for (const op of [0x0a, 0x2a, 0xaa, 0x8a, 0x2e, 0xae, 0x8e, 0x41, 0x93, 0x8b, 0x89, 0x9c]) TABLE[op] = IoKind.Write;

export function ioKindOfOpcode(opcode: number): IoKind {
  return TABLE[opcode] as IoKind;
}
