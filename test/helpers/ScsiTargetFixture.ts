/**
 * A ScsiTarget with MemoryStore LUNs and a ready-made nexus, plus CDB and
 * sense helpers, for the core/scsi unit tests.
 */
import { ScsiTarget } from '../../core/scsi/ScsiTarget.js';
import type { LogicalUnit } from '../../core/scsi/LogicalUnit.js';
import { TaskAttribute, type ItNexus, type ScsiCommand, type ScsiResult } from '../../core/scsi/ScsiCommand.js';
import { parseSense } from '../../core/scsi/Sense.js';
import { MemoryLogger } from './MemoryLogger.js';
import { MemoryStore, type MemoryStoreOptions } from './MemoryStore.js';

export const TEST_IQN = 'iqn.2026-11.io.lunhost.test:unit';

export function testNexus(initiator = 'iqn.2026-11.io.lunhost.test:initiator', isid = '023d00000001'): ItNexus {
  const initiatorPortName = `${initiator},i,0x${isid}`;
  const targetPortName = `${TEST_IQN},t,0x0001`;
  return {
    id: `${initiatorPortName}|${targetPortName}`,
    initiatorName: initiator,
    initiatorPortName,
    targetPortName,
    relativeTargetPortId: 1,
    transportId: Buffer.from(initiator),
  };
}

/** A 16-byte CDB (zero padded) from its leading bytes. */
export function cdb(...bytes: number[]): Buffer {
  const b = Buffer.alloc(16);
  Buffer.from(bytes).copy(b);
  return b;
}

let nextTag = 1;

export interface CommandOptions {
  readonly lun?: number;
  readonly nexus?: ItNexus;
  readonly dataOut?: Buffer | null;
  readonly expectedDataLength?: number;
  readonly taskTag?: number;
}

export function command(cdbBytes: Buffer, o: CommandOptions = {}): ScsiCommand {
  return {
    nexus: o.nexus ?? testNexus(),
    lun: o.lun ?? 0,
    cdb: cdbBytes,
    taskTag: o.taskTag ?? nextTag++,
    taskAttribute: TaskAttribute.Simple,
    expectedDataLength: o.expectedDataLength ?? o.dataOut?.length ?? 0,
    dataOut: o.dataOut ?? null,
  };
}

/** key/asc/ascq of a CHECK CONDITION result (throws when there is no sense). */
export function senseOf(r: ScsiResult): { key: number; asc: number; ascq: number } {
  if (r.sense === null) throw new Error(`expected sense data, got status ${r.status}`);
  return parseSense(r.sense);
}

export interface FixtureOptions extends Partial<MemoryStoreOptions> {
  readonly lun?: number;
  readonly blockSize?: number;
  readonly readOnly?: boolean;
  /** Open the nexus (which queues POWER ON RESET UAs) and clear them with TEST UNIT READY. Default true. */
  readonly cleared?: boolean;
}

export class ScsiTargetFixture {
  readonly log = new MemoryLogger();
  readonly target = new ScsiTarget({ name: TEST_IQN, log: this.log });
  readonly nexus = testNexus();
  readonly store: MemoryStore;
  readonly lu: LogicalUnit;

  private constructor(o: FixtureOptions) {
    this.store = new MemoryStore({ size: o.size ?? 1024 * 512, capabilities: o.capabilities });
    this.lu = this.target.attachLun({ lun: o.lun ?? 1, store: this.store, blockSize: o.blockSize ?? 512, readOnly: o.readOnly ?? false });
    this.target.nexusOpened(this.nexus);
  }

  static async create(o: FixtureOptions = {}): Promise<ScsiTargetFixture> {
    const f = new ScsiTargetFixture(o);
    if (o.cleared ?? true) {
      // Each unit has one POWER ON UA for the new nexus; report it away.
      for (const lun of [0, f.lu.lun]) await f.run(cdb(0x00), { lun });
    }
    return f;
  }

  /** Runs a CDB on the fixture's LUN (unless o.lun) and nexus. */
  run(cdbBytes: Buffer, o: CommandOptions = {}): Promise<ScsiResult> {
    return this.target.execute(command(cdbBytes, { nexus: this.nexus, lun: this.lu.lun, ...o }));
  }
}
