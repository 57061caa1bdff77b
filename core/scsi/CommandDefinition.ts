/**
 * One entry of the opcode table: a SCSI command, how to run it, and what
 * REPORT SUPPORTED OPERATION CODES will say about it. To add a command,
 * write commands/<name>.ts exporting its definition(s) and list them in
 * commands/index.ts.
 */
import type { ScsiCommand, ScsiResult } from './ScsiCommand.js';
import type { LogicalUnit } from './LogicalUnit.js';
import type { ScsiUnit } from './ScsiUnit.js';

export type DataDirection = 'none' | 'in' | 'out';

interface CommandInfo {
  /** Name as in the standard, e.g. 'WRITE(10)'. */
  readonly name: string;
  readonly opcode: number;
  /** For opcodes shared by several commands (e.g. 9Eh SERVICE ACTION IN(16)). */
  readonly serviceAction?: number;
  /** CDB length in bytes. */
  readonly cdbLength: number;
  /**
   * CDB USAGE DATA (SPC-4 6.35.3): for each CDB byte, the bits the device
   * server looks at. Byte 0 is the opcode; its length equals cdbLength.
   */
  readonly usageData: readonly number[];
  readonly dataDirection: DataDirection;
  /** The command changes or persists the medium: a store 'medium' error is reported as WRITE ERROR. */
  readonly writesMedium?: boolean;
  /** INQUIRY, REPORT LUNS and REQUEST SENSE neither report nor clear unit attentions (SPC-4 5.14). */
  readonly ignoresUnitAttention?: boolean;
  /** Also answered for a LUN that does not exist (INQUIRY, REPORT LUNS, REQUEST SENSE). */
  readonly servesAbsentLun?: boolean;
  /** Needs the medium: NOT READY / MEDIUM NOT PRESENT while a removable medium is ejected. */
  readonly accessesMedium?: boolean;
  /**
   * Whether this LU really offers the command (e.g. UNMAP only when the store
   * can discard). Absent = always. When false, ScsiTarget answers INVALID
   * COMMAND OPERATION CODE and REPORT SUPPORTED OPERATION CODES leaves it out.
   */
  readonly availableOn?: (lu: LogicalUnit) => boolean;
}

/** A command of direct-access block devices: runs on a LogicalUnit only. */
export interface BlockCommandDefinition extends CommandInfo {
  readonly scope: 'block';
  execute(cmd: ScsiCommand, lu: LogicalUnit): Promise<ScsiResult>;
}

/** A command every unit answers (the controller LUN 0 and, where allowed, absent LUNs too). */
export interface AnyUnitCommandDefinition extends CommandInfo {
  readonly scope: 'any';
  execute(cmd: ScsiCommand, unit: ScsiUnit): Promise<ScsiResult>;
}

export type CommandDefinition = BlockCommandDefinition | AnyUnitCommandDefinition;
