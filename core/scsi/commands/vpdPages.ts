/**
 * VPD pages for INQUIRY with EVPD=1 (SPC-4 7.8, SBC-3 6.6). Each builder
 * returns the whole page; the INQUIRY handler cuts it to the allocation length.
 */
import type { ItNexus } from '../ScsiCommand.js';
import type { ScsiUnit } from '../ScsiUnit.js';
import type { LogicalUnit } from '../LogicalUnit.js';
import {
  isThin, MAX_COMPARE_AND_WRITE_BLOCKS, MAX_UNMAP_BLOCKS, MAX_UNMAP_DESCRIPTORS, maxAtomicTransferBlocks, maxWriteSameBlocks, optimalUnmapGranularity,
} from '../BlockLimits.js';

export const VpdPage = {
  supportedPages: 0x00,
  unitSerialNumber: 0x80,
  deviceIdentification: 0x83,
  blockLimits: 0xb0,
  blockDeviceCharacteristics: 0xb1,
  logicalBlockProvisioning: 0xb2,
} as const;

/** The VPD pages this unit answers, ascending. */
export function supportedVpdPages(unit: ScsiUnit): number[] {
  const pages: number[] = [VpdPage.supportedPages, VpdPage.unitSerialNumber, VpdPage.deviceIdentification];
  if (unit.kind === 'block') {
    pages.push(VpdPage.blockLimits, VpdPage.blockDeviceCharacteristics);
    // Only a store that really deallocates gets the thin provisioning page.
    if ((unit as LogicalUnit).store.capabilities.discard) pages.push(VpdPage.logicalBlockProvisioning);
  }
  return pages;
}

/** Builds `page` for `unit`, or returns null when the unit does not have it. */
export function buildVpdPage(page: number, unit: ScsiUnit, nexus: ItNexus): Buffer | null {
  if (!supportedVpdPages(unit).includes(page)) return null;
  switch (page) {
    case VpdPage.supportedPages:
      return vpd(unit, page, Buffer.from(supportedVpdPages(unit)));
    case VpdPage.unitSerialNumber:
      return vpd(unit, page, Buffer.from(unit.identity.serial, 'ascii'));
    case VpdPage.deviceIdentification:
      return vpd(unit, page, deviceIdentification(unit, nexus));
    case VpdPage.blockLimits:
      return vpd(unit, page, blockLimits(unit as LogicalUnit));
    case VpdPage.blockDeviceCharacteristics:
      return vpd(unit, page, blockDeviceCharacteristics(unit as LogicalUnit));
    case VpdPage.logicalBlockProvisioning:
      return vpd(unit, page, logicalBlockProvisioning(unit as LogicalUnit));
    default:
      return null;
  }
}

/** 4-byte VPD header + payload (page length is 2 bytes). */
function vpd(unit: ScsiUnit, page: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b[0] = unit.peripheral;
  b[1] = page;
  b.writeUInt16BE(payload.length, 2);
  payload.copy(b, 4);
  return b;
}

const CodeSet = { binary: 1, ascii: 2, utf8: 3 } as const;
const Association = { logicalUnit: 0, targetPort: 1, targetDevice: 2 } as const;
const DesignatorType = { t10VendorId: 1, naa: 3, relativeTargetPort: 4, targetPortGroup: 5, scsiNameString: 8 } as const;
const PROTOCOL_ISCSI = 5;

/** One designation descriptor (SPC-4 7.8.6.1). With `protocol`, PIV is set. */
function designator(codeSet: number, association: number, type: number, value: Buffer, protocol?: number): Buffer {
  const b = Buffer.alloc(4 + value.length);
  b[0] = ((protocol ?? 0) << 4) | codeSet;
  b[1] = (protocol !== undefined ? 0x80 : 0) | (association << 4) | type;
  b[3] = value.length;
  value.copy(b, 4);
  return b;
}

/** SCSI name string: UTF-8, null terminated, padded to a multiple of 4 (SPC-4 7.8.6.11). */
function scsiName(name: string): Buffer {
  const raw = Buffer.from(name, 'utf8');
  const padded = Buffer.alloc((raw.length + 4) & ~3);
  raw.copy(padded);
  return padded;
}

function deviceIdentification(unit: ScsiUnit, nexus: ItNexus): Buffer {
  const id = unit.identity;
  const relPort = Buffer.alloc(4);
  relPort.writeUInt16BE(nexus.relativeTargetPortId & 0xffff, 2);
  // One target port group: lunhost has no ALUA (TPGS=0), every port is in group 1.
  const portGroup = Buffer.alloc(4);
  portGroup.writeUInt16BE(1, 2);
  return Buffer.concat([
    designator(CodeSet.binary, Association.logicalUnit, DesignatorType.naa, id.naa),
    designator(CodeSet.ascii, Association.logicalUnit, DesignatorType.t10VendorId, Buffer.from(id.vendor + id.serial, 'ascii')),
    designator(CodeSet.binary, Association.targetPort, DesignatorType.relativeTargetPort, relPort, PROTOCOL_ISCSI),
    designator(CodeSet.binary, Association.targetPort, DesignatorType.targetPortGroup, portGroup),
    designator(CodeSet.utf8, Association.targetPort, DesignatorType.scsiNameString, scsiName(nexus.targetPortName), PROTOCOL_ISCSI),
    designator(CodeSet.utf8, Association.targetDevice, DesignatorType.scsiNameString, scsiName(unit.target.name), PROTOCOL_ISCSI),
  ]);
}

function blockLimits(lu: LogicalUnit): Buffer {
  const b = Buffer.alloc(0x3c);
  // Offsets below are page offsets minus the 4-byte header.
  b.writeUInt16BE(1, 2); // OPTIMAL TRANSFER LENGTH GRANULARITY: 1 block
  b.writeUInt32BE(lu.maxTransferBlocks, 4); // MAXIMUM TRANSFER LENGTH
  b.writeUInt32BE(Math.min(lu.maxTransferBlocks, Math.floor(1024 * 1024 / lu.blockSize)), 8); // OPTIMAL TRANSFER LENGTH: 1 MiB
  b[1] = MAX_COMPARE_AND_WRITE_BLOCKS; // MAXIMUM COMPARE AND WRITE LENGTH
  if (isThin(lu)) {
    b.writeUInt32BE(MAX_UNMAP_BLOCKS, 16); // MAXIMUM UNMAP LBA COUNT
    b.writeUInt32BE(MAX_UNMAP_DESCRIPTORS, 20); // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
    b.writeUInt32BE(optimalUnmapGranularity(lu), 24); // OPTIMAL UNMAP GRANULARITY
    b.writeUInt32BE(0x8000_0000, 28); // UGAVALID, UNMAP GRANULARITY ALIGNMENT 0
  }
  // MAXIMUM WRITE SAME LENGTH (64 bits; WRITE SAME is emulated on every store).
  b.writeUInt32BE(maxWriteSameBlocks(lu), 36);
  // MAXIMUM ATOMIC TRANSFER LENGTH (0 without WRITE ATOMIC); ATOMIC ALIGNMENT and GRANULARITY 0: no restriction.
  b.writeUInt32BE(maxAtomicTransferBlocks(lu), 40);
  return b;
}

function blockDeviceCharacteristics(lu: LogicalUnit): Buffer {
  const b = Buffer.alloc(0x3c);
  b.writeUInt16BE(1, 0); // MEDIUM ROTATION RATE: non-rotating medium
  // WABEREQ 01b: after SANITIZE BLOCK ERASE a read succeeds (and returns zeros).
  if (lu.allowSanitize) b[3] = 0x40;
  return b;
}

function logicalBlockProvisioning(lu: LogicalUnit): Buffer {
  const b = Buffer.alloc(4);
  // LBPU (UNMAP), LBPWS (WRITE SAME(16) with UNMAP), LBPWS10; LBPRZ from the store; ANC_SUP and DP stay 0.
  if (isThin(lu)) b[1] |= 0x80 | 0x40 | 0x20;
  if (lu.store.capabilities.discardZeroes) b[1] |= 0x04;
  b[2] = 0x02; // PROVISIONING TYPE: thin
  return b;
}
