/**
 * A ScsiTarget with one LUN on a ThinMemoryStore (or any given store) and a
 * cleared nexus, for the block-command unit tests.
 */
import { ScsiTarget } from '../../core/scsi/ScsiTarget.js';
import type { LogicalUnit } from '../../core/scsi/LogicalUnit.js';
import type { ScsiResult } from '../../core/scsi/ScsiCommand.js';
import type { BackingStore } from '../../core/store/BackingStore.js';
import { MemoryLogger } from './MemoryLogger.js';
import { cdb, command, testNexus, TEST_IQN, type CommandOptions } from './ScsiTargetFixture.js';
import { ThinMemoryStore } from './ThinMemoryStore.js';

export interface ThinTarget<S extends BackingStore> {
  readonly target: ScsiTarget;
  readonly store: S;
  readonly lu: LogicalUnit;
  run(cdbBytes: Buffer, o?: CommandOptions): Promise<ScsiResult>;
}

export const LUN = 1;

export async function thinTarget<S extends BackingStore = ThinMemoryStore>(
  o: { store?: S; blockSize?: number; readOnly?: boolean } = {},
): Promise<ThinTarget<S>> {
  const store = (o.store ?? new ThinMemoryStore(1024 * 512)) as S;
  const target = new ScsiTarget({ name: TEST_IQN, log: new MemoryLogger() });
  const lu = target.attachLun({ lun: LUN, store, blockSize: o.blockSize ?? 512, readOnly: o.readOnly ?? false });
  const nexus = testNexus();
  target.nexusOpened(nexus);
  const run = (c: Buffer, co: CommandOptions = {}): Promise<ScsiResult> => target.execute(command(c, { nexus, lun: LUN, ...co }));
  await run(cdb(0x00)); // clear POWER ON RESET
  return { target, store, lu, run };
}

/** An UNMAP parameter list with the given [lba, blocks] descriptors. */
export function unmapList(descriptors: ReadonlyArray<readonly [number, number]>): Buffer {
  const b = Buffer.alloc(8 + 16 * descriptors.length);
  b.writeUInt16BE(b.length - 2, 0);
  b.writeUInt16BE(16 * descriptors.length, 2);
  descriptors.forEach(([lba, blocks], i) => {
    b.writeBigUInt64BE(BigInt(lba), 8 + 16 * i);
    b.writeUInt32BE(blocks, 16 + 16 * i);
  });
  return b;
}
