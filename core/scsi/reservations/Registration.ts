/**
 * One persistent reservation registration (SPC-4 5.12.7): a reservation key
 * for an initiator port (or, from a name-only TransportID, every port of an
 * initiator) on one target port or, with ALL_TG_PT, on all of them.
 */
import type { ItNexus } from '../ScsiCommand.js';
import type { InitiatorDesignation } from './TransportId.js';

export interface Registration extends InitiatorDesignation {
  /** The reservation key; never 0 while registered. Changed in place by REGISTER. */
  key: bigint;
  /** Lower-case SCSI target port name, or null when registered on all target ports (ALL_TG_PT). */
  readonly targetPort: string | null;
  /** RELATIVE TARGET PORT IDENTIFIER reported by READ FULL STATUS (when not ALL_TG_PT). */
  readonly relativeTargetPortId: number;
}

/** Does `reg` cover this initiator (port or name) on this target port? */
export function registrationCovers(reg: Registration, who: InitiatorDesignation, targetPort: string): boolean {
  if (reg.targetPort !== null && reg.targetPort !== targetPort) return false;
  if (reg.initiatorPort !== null && who.initiatorPort !== null) return reg.initiatorPort === who.initiatorPort;
  return reg.initiatorName === who.initiatorName;
}

/** The designation of a nexus's initiator port, lower-cased like registrations. */
export function nexusDesignation(nexus: ItNexus): InitiatorDesignation {
  return { initiatorName: nexus.initiatorName.toLowerCase(), initiatorPort: nexus.initiatorPortName.toLowerCase() };
}

export function nexusTargetPort(nexus: ItNexus): string {
  return nexus.targetPortName.toLowerCase();
}
