/**
 * The PERSISTENT RESERVE OUT parameter lists (SPC-4 6.16.3 basic, 6.16.4
 * REGISTER AND MOVE), parsed and length-checked. Errors are the sense SPC-4
 * names: PARAMETER LIST LENGTH ERROR for a wrong length, INVALID FIELD IN
 * PARAMETER LIST (with the byte) for a bad field or TransportID.
 */
import { CheckCondition } from '../CheckCondition.js';
import { SenseCodes } from '../SenseCodes.js';
import { ReservationSenseCodes } from './ReservationSenseCodes.js';
import { parseTransportId, TransportIdError, type InitiatorDesignation } from './TransportId.js';

export const BASIC_PARAMETER_LIST_LENGTH = 24;

export interface BasicParameterList {
  readonly reservationKey: bigint;
  readonly serviceActionKey: bigint;
  readonly specifyInitiatorPorts: boolean;
  readonly allTargetPorts: boolean;
  readonly aptpl: boolean;
  /** SPEC_I_PT TransportIDs, empty unless SPEC_I_PT is set (REGISTER only). */
  readonly initiators: readonly InitiatorDesignation[];
}

export interface RegisterAndMoveParameterList {
  readonly reservationKey: bigint;
  readonly serviceActionKey: bigint;
  readonly unregister: boolean;
  readonly aptpl: boolean;
  readonly relativeTargetPortId: number;
  readonly destination: InitiatorDesignation;
}

function lengthError(): CheckCondition {
  return new CheckCondition(ReservationSenseCodes.parameterListLengthError);
}

function invalidField(byte: number, bit?: number): CheckCondition {
  return new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: bit === undefined ? { inCdb: false, byte } : { inCdb: false, byte, bit } });
}

function transportId(data: Buffer, at: number): ReturnType<typeof parseTransportId> {
  try {
    return parseTransportId(data, at);
  } catch (err) {
    if (err instanceof TransportIdError) throw invalidField(err.byte);
    throw err;
  }
}

/**
 * The basic parameter list. `acceptsInitiatorPorts`: REGISTER, the one
 * service action where SPEC_I_PT lets the list grow past 24 bytes.
 */
export function parseBasicParameterList(data: Buffer, acceptsInitiatorPorts: boolean): BasicParameterList {
  if (data.length < BASIC_PARAMETER_LIST_LENGTH) throw lengthError();
  const flags = data[20];
  const specifyInitiatorPorts = (flags & 0x08) !== 0;
  const initiators: InitiatorDesignation[] = [];
  if (specifyInitiatorPorts && acceptsInitiatorPorts) {
    if (data.length < BASIC_PARAMETER_LIST_LENGTH + 4) throw lengthError();
    const idsLength = data.readUInt32BE(24);
    if (28 + idsLength !== data.length) throw lengthError();
    for (let at = 28; at < data.length;) {
      const id = transportId(data, at);
      initiators.push({ initiatorName: id.initiatorName, initiatorPort: id.initiatorPort });
      at += id.length;
    }
    if (initiators.length === 0) throw invalidField(24);
  } else if (data.length !== BASIC_PARAMETER_LIST_LENGTH) {
    throw lengthError();
  }
  return {
    reservationKey: data.readBigUInt64BE(0),
    serviceActionKey: data.readBigUInt64BE(8),
    specifyInitiatorPorts,
    allTargetPorts: (flags & 0x04) !== 0,
    aptpl: (flags & 0x01) !== 0,
    initiators,
  };
}

export function parseRegisterAndMoveParameterList(data: Buffer): RegisterAndMoveParameterList {
  if (data.length < BASIC_PARAMETER_LIST_LENGTH) throw lengthError();
  const idLength = data.readUInt32BE(20);
  if (BASIC_PARAMETER_LIST_LENGTH + idLength > data.length) throw lengthError();
  if (idLength === 0) throw invalidField(20);
  const id = transportId(data.subarray(0, BASIC_PARAMETER_LIST_LENGTH + idLength), BASIC_PARAMETER_LIST_LENGTH);
  return {
    reservationKey: data.readBigUInt64BE(0),
    serviceActionKey: data.readBigUInt64BE(8),
    unregister: (data[17] & 0x02) !== 0,
    aptpl: (data[17] & 0x01) !== 0,
    relativeTargetPortId: data.readUInt16BE(18),
    destination: { initiatorName: id.initiatorName, initiatorPort: id.initiatorPort },
  };
}
