/** I_T nexuses and a recording unit-attention sink for the reservation tests. */
import type { ItNexus } from '../../../../core/scsi/ScsiCommand.js';
import type { SenseCode } from '../../../../core/scsi/SenseCodes.js';
import { ReservationState, type RegisterRequest } from '../../../../core/scsi/reservations/ReservationState.js';
import type { AptplFile } from '../../../../core/scsi/reservations/AptplFile.js';

export const TARGET = 'iqn.2026-01.test:disk';

export function nexus(initiator: string, isid = '800000000001', tpgt = 1): ItNexus {
  const initiatorPortName = `${initiator},i,0x${isid}`;
  const targetPortName = `${TARGET},t,0x${tpgt.toString(16).padStart(4, '0')}`;
  return {
    id: `${initiatorPortName}|${targetPortName}`,
    initiatorName: initiator,
    initiatorPortName,
    targetPortName,
    relativeTargetPortId: tpgt,
    transportId: Buffer.alloc(0),
  };
}

export class RecordingSink {
  readonly raised: Array<{ nexusId: string; code: SenseCode }> = [];
  raiseFor(nexusId: string, code: SenseCode): void {
    this.raised.push({ nexusId, code });
  }
  for(n: ItNexus): SenseCode[] {
    return this.raised.filter((r) => r.nexusId === n.id).map((r) => r.code);
  }
  clear(): void {
    this.raised.length = 0;
  }
}

export function newState(nexuses: ItNexus[], file: AptplFile | null = null): { state: ReservationState; ua: RecordingSink } {
  const ua = new RecordingSink();
  const state = new ReservationState(ua, TARGET, file);
  for (const n of nexuses) state.nexusOpened(n);
  return { state, ua };
}

export function reg(reservationKey: bigint, serviceActionKey: bigint, extra: Partial<RegisterRequest> = {}): RegisterRequest {
  return { reservationKey, serviceActionKey, allTargetPorts: false, aptpl: false, initiators: [], ...extra };
}
