/**
 * The additional sense codes core/scsi reports (SPC-4 Annex D), by name, so
 * handlers never write bare numbers.
 */
import { SenseKey } from './Sense.js';

export interface SenseCode {
  readonly key: SenseKey;
  readonly asc: number;
  readonly ascq: number;
}

function code(key: SenseKey, asc: number, ascq: number): SenseCode {
  return Object.freeze({ key, asc, ascq });
}

export const SenseCodes = {
  noSense: code(SenseKey.NoSense, 0x00, 0x00),
  // ILLEGAL REQUEST
  invalidCommandOperationCode: code(SenseKey.IllegalRequest, 0x20, 0x00),
  lbaOutOfRange: code(SenseKey.IllegalRequest, 0x21, 0x00),
  invalidFieldInCdb: code(SenseKey.IllegalRequest, 0x24, 0x00),
  logicalUnitNotSupported: code(SenseKey.IllegalRequest, 0x25, 0x00),
  invalidFieldInParameterList: code(SenseKey.IllegalRequest, 0x26, 0x00),
  savingParametersNotSupported: code(SenseKey.IllegalRequest, 0x39, 0x00),
  invalidFieldInCommandInformationUnit: code(SenseKey.IllegalRequest, 0x0e, 0x03),
  mediumRemovalPrevented: code(SenseKey.IllegalRequest, 0x53, 0x02),
  // MISCOMPARE (COMPARE AND WRITE, VERIFY with BYTCHK)
  miscompareDuringVerify: code(SenseKey.Miscompare, 0x1d, 0x00),
  parameterListLengthError: code(SenseKey.IllegalRequest, 0x1a, 0x00),
  tooManyTargetDescriptors: code(SenseKey.IllegalRequest, 0x26, 0x06),
  unsupportedTargetDescriptorTypeCode: code(SenseKey.IllegalRequest, 0x26, 0x07),
  tooManySegmentDescriptors: code(SenseKey.IllegalRequest, 0x26, 0x08),
  unsupportedSegmentDescriptorTypeCode: code(SenseKey.IllegalRequest, 0x26, 0x09),
  // COPY ABORTED (EXTENDED COPY)
  unreachableCopyTarget: code(SenseKey.CopyAborted, 0x08, 0x04),
  copyTargetDeviceDataUnderrun: code(SenseKey.CopyAborted, 0x0d, 0x02),
  // NOT READY
  mediumNotPresent: code(SenseKey.NotReady, 0x3a, 0x00),
  sanitizeInProgress: code(SenseKey.NotReady, 0x04, 0x1b),
  notReadyBecomingReady: code(SenseKey.NotReady, 0x04, 0x01),
  // MEDIUM ERROR
  writeError: code(SenseKey.MediumError, 0x0c, 0x00),
  unrecoveredReadError: code(SenseKey.MediumError, 0x11, 0x00),
  // HARDWARE ERROR
  internalTargetFailure: code(SenseKey.HardwareError, 0x44, 0x00),
  // DATA PROTECT
  writeProtected: code(SenseKey.DataProtect, 0x27, 0x00),
  spaceAllocationFailedWriteProtect: code(SenseKey.DataProtect, 0x27, 0x07),
  // UNIT ATTENTION
  powerOnResetOccurred: code(SenseKey.UnitAttention, 0x29, 0x00),
  powerOnOccurred: code(SenseKey.UnitAttention, 0x29, 0x01),
  busDeviceResetFunctionOccurred: code(SenseKey.UnitAttention, 0x29, 0x03),
  modeParametersChanged: code(SenseKey.UnitAttention, 0x2a, 0x01),
  capacityDataHasChanged: code(SenseKey.UnitAttention, 0x2a, 0x09),
  commandsClearedByAnotherInitiator: code(SenseKey.UnitAttention, 0x2f, 0x00),
  reportedLunsDataHasChanged: code(SenseKey.UnitAttention, 0x3f, 0x0e),
} as const;
