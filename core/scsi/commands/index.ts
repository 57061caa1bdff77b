/**
 * Every SCSI command core/scsi implements, one file per command (family) in
 * this folder. To add one: write commands/<name>.ts exporting a
 * CommandDefinition and list it here.
 */
import type { CommandDefinition } from '../CommandDefinition.js';
import { extendedCopy } from './extendedCopy.js';
import { inquiry } from './inquiry.js';
import { modeSelect10, modeSelect6 } from './modeSelect.js';
import { modeSense10, modeSense6 } from './modeSense.js';
import { read10, read12, read16, read6 } from './read.js';
import { readCapacity10, readCapacity16 } from './readCapacity.js';
import { receiveCopyOperatingParameters, receiveCopyStatus } from './receiveCopyResults.js';
import { reportLuns } from './reportLuns.js';
import { reportSupportedOperationCodes } from './reportSupportedOperationCodes.js';
import { reportSupportedTaskManagementFunctions } from './reportSupportedTaskManagementFunctions.js';
import { requestSense } from './requestSense.js';
import { startStopUnit } from './startStopUnit.js';
import { synchronizeCache10, synchronizeCache16 } from './synchronizeCache.js';
import { testUnitReady } from './testUnitReady.js';
import { write10, write12, write16, write6 } from './write.js';
import { PERSISTENT_RESERVE_IN_COMMANDS } from './persistentReserveIn.js';
import { PERSISTENT_RESERVE_OUT_COMMANDS } from './persistentReserveOut.js';
import { release10, release6, reserve10, reserve6 } from './reserveRelease.js';
// Block commands of SBC-3 beyond READ/WRITE (thin provisioning, compare, verify).
import { compareAndWrite } from './compareAndWrite.js';
import { getLbaStatus } from './getLbaStatus.js';
import { orWrite16 } from './orWrite.js';
import { prefetch10, prefetch16 } from './prefetch.js';
import { readDefectData10, readDefectData12 } from './readDefectData.js';
import { unmap } from './unmap.js';
import { verify10, verify12, verify16 } from './verify.js';
import { writeAndVerify10, writeAndVerify12, writeAndVerify16 } from './writeAndVerify.js';
import { writeSame10, writeSame16 } from './writeSame.js';
import { writeAtomic16 } from './writeAtomic.js';
import { preventAllowMediumRemoval } from './preventAllowMediumRemoval.js';
import { sanitizeBlockErase, sanitizeExitFailureMode, sanitizeOverwrite } from './sanitize.js';

export const ALL_COMMANDS: readonly CommandDefinition[] = [
  testUnitReady,
  requestSense,
  inquiry,
  reportLuns,
  startStopUnit,
  modeSense6,
  modeSense10,
  modeSelect6,
  modeSelect10,
  readCapacity10,
  readCapacity16,
  read6, read10, read12, read16,
  write6, write10, write12, write16,
  synchronizeCache10,
  synchronizeCache16,
  unmap,
  writeSame10, writeSame16,
  getLbaStatus,
  compareAndWrite,
  verify10, verify12, verify16,
  writeAndVerify10, writeAndVerify12, writeAndVerify16,
  prefetch10, prefetch16,
  orWrite16,
  writeAtomic16,
  readDefectData10, readDefectData12,
  preventAllowMediumRemoval,
  sanitizeOverwrite, sanitizeBlockErase, sanitizeExitFailureMode,
  reportSupportedOperationCodes,
  reportSupportedTaskManagementFunctions,
  extendedCopy,
  receiveCopyStatus,
  receiveCopyOperatingParameters,
  ...PERSISTENT_RESERVE_IN_COMMANDS,
  ...PERSISTENT_RESERVE_OUT_COMMANDS,
  reserve6, reserve10, release6, release10,
];
