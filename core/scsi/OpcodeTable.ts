/**
 * Opcode (and service action) → CommandDefinition. Built once from
 * commands/index.ts; lookup is an array index on the hot path.
 */
import type { CommandDefinition } from './CommandDefinition.js';

/** Opcodes whose command is selected by a service action in CDB byte 1, bits 4-0. */
const SERVICE_ACTION_OPCODES = new Set([0x9e, 0x9f, 0xa3, 0xa4, 0x5e, 0x5f, 0x7f, 0x83, 0x84, 0x48]);

export class OpcodeTable {
  private readonly byOpcode: Array<CommandDefinition | undefined> = new Array(256).fill(undefined);
  private readonly byServiceAction = new Map<number, Map<number, CommandDefinition>>();
  private readonly all: CommandDefinition[] = [];

  constructor(definitions: readonly CommandDefinition[]) {
    for (const d of definitions) this.add(d);
  }

  private add(d: CommandDefinition): void {
    if (d.usageData.length !== d.cdbLength || d.usageData[0] !== d.opcode) {
      throw new Error(`${d.name}: usageData must have cdbLength (${d.cdbLength}) bytes starting with the opcode`);
    }
    if (SERVICE_ACTION_OPCODES.has(d.opcode)) {
      if (d.serviceAction === undefined) throw new Error(`${d.name}: opcode ${hex(d.opcode)} needs a serviceAction`);
      let sas = this.byServiceAction.get(d.opcode);
      if (sas === undefined) this.byServiceAction.set(d.opcode, (sas = new Map()));
      if (sas.has(d.serviceAction)) throw new Error(`${d.name}: ${hex(d.opcode)}/${hex(d.serviceAction)} defined twice`);
      sas.set(d.serviceAction, d);
    } else {
      if (this.byOpcode[d.opcode] !== undefined) throw new Error(`${d.name}: opcode ${hex(d.opcode)} defined twice`);
      this.byOpcode[d.opcode] = d;
    }
    this.all.push(d);
  }

  /** The definition for this CDB, or undefined (INVALID COMMAND OPERATION CODE). */
  lookup(cdb: Buffer): CommandDefinition | undefined {
    const d = this.byOpcode[cdb[0]];
    if (d !== undefined) return d;
    const sas = this.byServiceAction.get(cdb[0]);
    return sas === undefined ? undefined : sas.get(cdb[1] & 0x1f);
  }

  /** Whether `opcode` selects its command by a service action (REPORT SUPPORTED OPERATION CODES SERVACTV). */
  usesServiceAction(opcode: number): boolean {
    return SERVICE_ACTION_OPCODES.has(opcode);
  }

  /** The definition of `opcode` (with `serviceAction` for service-action opcodes), or undefined. */
  find(opcode: number, serviceAction: number): CommandDefinition | undefined {
    return SERVICE_ACTION_OPCODES.has(opcode) ? this.byServiceAction.get(opcode)?.get(serviceAction) : this.byOpcode[opcode];
  }

  /**
   * The opcode selects commands by service action and some are defined: an
   * unknown service action is then INVALID FIELD IN CDB, not an unknown opcode (SPC-4 4.2.5.1).
   */
  hasServiceActions(opcode: number): boolean {
    return this.byServiceAction.has(opcode);
  }

  /** Every definition, for REPORT SUPPORTED OPERATION CODES. */
  definitions(): readonly CommandDefinition[] {
    return this.all;
  }
}

function hex(n: number): string {
  return `${n.toString(16).padStart(2, '0')}h`;
}
