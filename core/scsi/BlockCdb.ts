/**
 * LBA and transfer length of the READ/WRITE/SYNCHRONIZE CACHE family, by CDB
 * size (the opcode's group code says which). Plain numbers: no objects on
 * the hot path.
 */

/** CDB length implied by the opcode's group code (SPC-4 4.2.5.1). */
export function cdbLengthOf(opcode: number): 6 | 10 | 12 | 16 {
  switch (opcode >> 5) {
    case 0: return 6;
    case 4: return 16;
    case 5: return 12;
    default: return 10;
  }
}

/** Starting LBA. 16-byte CDBs beyond 2^53 yield Infinity, which every range check refuses. */
export function cdbLba(cdb: Buffer): number {
  switch (cdbLengthOf(cdb[0])) {
    case 6:
      return ((cdb[1] & 0x1f) << 16) | cdb.readUInt16BE(2);
    case 16: {
      const hi = cdb.readUInt32BE(2);
      return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 0x1_0000_0000 + cdb.readUInt32BE(6);
    }
    default:
      return cdb.readUInt32BE(2);
  }
}

/** Transfer length in blocks; for 6-byte READ/WRITE, 0 means 256 (SBC-3 5.14). */
export function cdbTransferLength(cdb: Buffer): number {
  switch (cdbLengthOf(cdb[0])) {
    case 6:
      return cdb[4] === 0 ? 256 : cdb[4];
    case 12:
      return cdb.readUInt32BE(6);
    case 16:
      return cdb.readUInt32BE(10);
    default:
      return cdb.readUInt16BE(7);
  }
}

/** CDB byte where the transfer length starts, for field pointers. */
export function transferLengthByte(opcode: number): number {
  switch (cdbLengthOf(opcode)) {
    case 6: return 4;
    case 12: return 6;
    case 16: return 10;
    default: return 7;
  }
}
