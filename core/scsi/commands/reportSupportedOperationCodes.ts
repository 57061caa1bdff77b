/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35, MAINTENANCE IN A3h/0Ch).
 * Built from the opcode table: a command is listed when this unit really
 * runs it (block commands only on a LogicalUnit, and only when its
 * `availableOn` says so, e.g. no UNMAP on a store that cannot discard).
 */
import type { AnyUnitCommandDefinition, CommandDefinition } from '../CommandDefinition.js';
import { CheckCondition } from '../CheckCondition.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import type { ScsiCommand, ScsiResult } from '../ScsiCommand.js';
import { goodWithData } from '../ScsiResults.js';
import type { ScsiUnit } from '../ScsiUnit.js';

export const enum ReportingOptions {
  All = 0,
  /** One command by opcode; the opcode must not use service actions. */
  OneOpcode = 1,
  /** One command by opcode and service action; the opcode must use service actions. */
  OneServiceAction = 2,
  /** One command by opcode, plus the service action when the opcode uses them (SPC-4 r37). */
  OneEither = 3,
}

/** SUPPORT field of the one-command format. */
const SUPPORT_NOT_SUPPORTED = 0x01;
const SUPPORT_STANDARD = 0x03;

/** Command timeouts descriptor length field (SPC-4 6.35.4): 0Ah. */
const TIMEOUTS_DESCRIPTOR_LENGTH = 0x0a;
/** RECOMMENDED COMMAND TIMEOUT in seconds: long enough for a store reconnecting (sheepdog, curve). */
const RECOMMENDED_TIMEOUT_SECONDS = 60;

/** Whether `def` runs on `unit`. */
export function commandAvailable(def: CommandDefinition, unit: ScsiUnit): boolean {
  if (unit.kind === 'block') return def.availableOn === undefined || def.availableOn(unit as LogicalUnit);
  return def.scope === 'any' && (unit.kind === 'controller' || def.servesAbsentLun === true);
}

/** The 12-byte command timeouts descriptor. */
function writeTimeouts(into: Buffer, at: number): void {
  into.writeUInt16BE(TIMEOUTS_DESCRIPTOR_LENGTH, at);
  // byte 2 reserved, byte 3 command specific: 0; NOMINAL COMMAND PROCESSING TIMEOUT 0 = not specified.
  into.writeUInt32BE(0, at + 4);
  into.writeUInt32BE(RECOMMENDED_TIMEOUT_SECONDS, at + 8);
}

function allCommands(unit: ScsiUnit, rctd: boolean): Buffer {
  const defs = unit.target.opcodes.definitions().filter((d) => commandAvailable(d, unit));
  const descriptorLength = rctd ? 20 : 8;
  const b = Buffer.alloc(4 + defs.length * descriptorLength);
  b.writeUInt32BE(defs.length * descriptorLength, 0);
  let p = 4;
  for (const d of defs) {
    const servactv = unit.target.opcodes.usesServiceAction(d.opcode);
    b[p] = d.opcode;
    if (servactv) b.writeUInt16BE(d.serviceAction ?? 0, p + 2);
    b[p + 5] = (rctd ? 0x02 : 0) | (servactv ? 0x01 : 0); // CTDP, SERVACTV
    b.writeUInt16BE(d.cdbLength, p + 6);
    if (rctd) writeTimeouts(b, p + 8);
    p += descriptorLength;
  }
  return b;
}

function oneCommand(def: CommandDefinition | undefined, rctd: boolean): Buffer {
  if (def === undefined) {
    const b = Buffer.alloc(4);
    b[1] = SUPPORT_NOT_SUPPORTED;
    return b;
  }
  const b = Buffer.alloc(4 + def.cdbLength + (rctd ? 12 : 0));
  b[1] = (rctd ? 0x80 : 0) | SUPPORT_STANDARD;
  b.writeUInt16BE(def.cdbLength, 2);
  def.usageData.forEach((bits, i) => { b[4 + i] = bits; });
  if (rctd) writeTimeouts(b, 4 + def.cdbLength);
  return b;
}

export const reportSupportedOperationCodes: AnyUnitCommandDefinition = {
  name: 'REPORT SUPPORTED OPERATION CODES', opcode: 0xa3, serviceAction: 0x0c, cdbLength: 12, scope: 'any', dataDirection: 'in',
  usageData: [0xa3, 0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  async execute(cmd: ScsiCommand, unit: ScsiUnit): Promise<ScsiResult> {
    const cdb = cmd.cdb;
    const rctd = (cdb[2] & 0x80) !== 0;
    const options = cdb[2] & 0x07;
    if ((cdb[2] & 0x78) !== 0) throw CheckCondition.invalidFieldInCdb(2);
    const allocationLength = cdb.readUInt32BE(6);
    const opcode = cdb[3];
    const serviceAction = cdb.readUInt16BE(4);
    const table = unit.target.opcodes;
    const usesSa = table.usesServiceAction(opcode);
    let data: Buffer;
    switch (options) {
      case ReportingOptions.All:
        data = allCommands(unit, rctd);
        break;
      case ReportingOptions.OneOpcode:
        if (usesSa) throw CheckCondition.invalidFieldInCdb(3);
        data = oneCommand(found(table.find(opcode, 0), unit), rctd);
        break;
      case ReportingOptions.OneServiceAction:
        if (!usesSa) throw CheckCondition.invalidFieldInCdb(3);
        data = oneCommand(serviceAction > 0x1f ? undefined : found(table.find(opcode, serviceAction), unit), rctd);
        break;
      case ReportingOptions.OneEither:
        data = oneCommand(usesSa && serviceAction > 0x1f ? undefined : found(table.find(opcode, usesSa ? serviceAction : 0), unit), rctd);
        break;
      default:
        throw CheckCondition.invalidFieldInCdb(2, 2);
    }
    return goodWithData(data, allocationLength);
  },
};

function found(def: CommandDefinition | undefined, unit: ScsiUnit): CommandDefinition | undefined {
  return def !== undefined && commandAvailable(def, unit) ? def : undefined;
}
