/**
 * SANITIZE (SBC-3 5.19), only on LUNs declared with allowSanitize (for the
 * others the command does not exist: INVALID COMMAND OPERATION CODE):
 * - OVERWRITE (01h): the parameter list's pattern (1..block size bytes) is
 *   repeated over every block, OVERWRITE COUNT passes, inverted between
 *   passes when INVERT is set;
 * - BLOCK ERASE (02h), thin LUNs only: the whole medium is deallocated and
 *   reads back as zeros (VPD B1h WABEREQ=01b);
 * - EXIT FAILURE MODE (1Fh): nothing is ever left in failure mode: GOOD.
 * CRYPTOGRAPHIC ERASE is not offered (there is no encryption key to drop).
 * While it runs, the LUN answers every command but INQUIRY, REPORT LUNS and
 * REQUEST SENSE with NOT READY / SANITIZE IN PROGRESS (ScsiTarget). IMMED
 * returns GOOD at once and sanitizes in the background.
 */
import type { BlockCommandDefinition } from '../CommandDefinition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { CheckCondition } from '../CheckCondition.js';
import { isThin } from '../BlockLimits.js';
import { GOOD } from '../ScsiResults.js';
import { SenseCodes } from '../SenseCodes.js';

const CHUNK_BYTES = 1024 * 1024;

function invalidParameter(byte: number): CheckCondition {
  return new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte } });
}

/** Reserved CDB fields (byte 1 bit 6, bytes 2-6) and the parameter list length; returns that length. */
function checkCdb(cmd: ScsiCommand, lu: LogicalUnit): number {
  const cdb = cmd.cdb;
  if ((cdb[1] & 0x40) !== 0) throw CheckCondition.invalidFieldInCdb(1, 6);
  for (let i = 2; i <= 6; i++) if (cdb[i] !== 0) throw CheckCondition.invalidFieldInCdb(i);
  lu.checkWritable();
  return cdb.readUInt16BE(7);
}

/** Runs `work` with the LUN marked sanitizing; with IMMED, in the background. */
async function run(cmd: ScsiCommand, lu: LogicalUnit, work: () => Promise<void>): Promise<ScsiResult> {
  lu.sanitizing = true;
  const done = work().finally(() => {
    lu.sanitizing = false;
  });
  if ((cmd.cdb[1] & 0x80) !== 0) {
    done.catch(() => undefined); // IMMED: the outcome is not reported (no failure mode kept)
    return GOOD;
  }
  await done;
  return GOOD;
}

/** Writes one block-sized unit (pattern repeated from each block's start) over the whole medium. */
async function overwriteAll(lu: LogicalUnit, block: Buffer): Promise<void> {
  const bs = lu.blockSize;
  const chunkBlocks = Math.max(1, Math.floor(CHUNK_BYTES / bs));
  const chunk = Buffer.allocUnsafe(chunkBlocks * bs);
  chunk.fill(block);
  const total = lu.blockCount;
  for (let lba = 0; lba < total; lba += chunkBlocks) {
    const n = Math.min(chunkBlocks, total - lba);
    await lu.store.write(n === chunkBlocks ? chunk : chunk.subarray(0, n * bs), lba * bs, false);
  }
  await lu.store.flush();
}

const common = {
  opcode: 0x48, cdbLength: 10, scope: 'block', writesMedium: true,
  usageData: [0x48, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
} as const;

export const sanitizeOverwrite: BlockCommandDefinition = {
  ...common, name: 'SANITIZE OVERWRITE', serviceAction: 0x01, dataDirection: 'out',
  availableOn: (lu) => lu.allowSanitize,
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    const listLength = checkCdb(cmd, lu);
    if (listLength < 5) throw CheckCondition.invalidFieldInCdb(7);
    const data = cmd.dataOut;
    if (data === null || data.length < listLength) throw new CheckCondition(SenseCodes.parameterListLengthError);
    if ((data[0] & 0x60) !== 0) throw invalidParameter(0); // TEST
    const passes = data[0] & 0x1f;
    if (passes === 0) throw invalidParameter(0);
    const patternLength = data.readUInt16BE(2);
    if (patternLength === 0 || patternLength > lu.blockSize) throw invalidParameter(2);
    if (listLength !== 4 + patternLength) throw CheckCondition.invalidFieldInCdb(7);
    const invert = (data[0] & 0x80) !== 0;
    const block = Buffer.alloc(lu.blockSize);
    block.fill(data.subarray(4, 4 + patternLength));
    const inverted = Buffer.from(block.map((b) => ~b & 0xff));
    return run(cmd, lu, async () => {
      // With INVERT, passes alternate so that the last one writes the pattern itself.
      for (let pass = 0; pass < passes; pass++) {
        await overwriteAll(lu, invert && (passes - 1 - pass) % 2 === 1 ? inverted : block);
      }
    });
  },
};

export const sanitizeBlockErase: BlockCommandDefinition = {
  ...common, name: 'SANITIZE BLOCK ERASE', serviceAction: 0x02, dataDirection: 'none',
  availableOn: (lu) => lu.allowSanitize && isThin(lu),
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    if (checkCdb(cmd, lu) !== 0) throw CheckCondition.invalidFieldInCdb(7);
    return run(cmd, lu, async () => {
      // isThin() (availableOn) guarantees discard exists.
      await lu.store.discard!(0, lu.blockCount * lu.blockSize);
      await lu.store.flush();
    });
  },
};

export const sanitizeExitFailureMode: BlockCommandDefinition = {
  ...common, name: 'SANITIZE EXIT FAILURE MODE', serviceAction: 0x1f, dataDirection: 'none',
  availableOn: (lu) => lu.allowSanitize,
  async execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult> {
    if (checkCdb(cmd, lu) !== 0) throw CheckCondition.invalidFieldInCdb(7);
    return GOOD;
  },
};
