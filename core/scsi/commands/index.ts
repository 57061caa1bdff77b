/**
 * Every SCSI command core/scsi implements, one file per command (family) in
 * this folder. To add one: write commands/<name>.ts exporting a
 * CommandDefinition and list it here.
 */
import type { CommandDefinition } from '../CommandDefinition.js';
import { inquiry } from './inquiry.js';
import { modeSense10, modeSense6 } from './modeSense.js';
import { read10, read12, read16, read6 } from './read.js';
import { readCapacity10, readCapacity16 } from './readCapacity.js';
import { reportLuns } from './reportLuns.js';
import { requestSense } from './requestSense.js';
import { startStopUnit } from './startStopUnit.js';
import { synchronizeCache10, synchronizeCache16 } from './synchronizeCache.js';
import { testUnitReady } from './testUnitReady.js';
import { write10, write12, write16, write6 } from './write.js';

export const ALL_COMMANDS: readonly CommandDefinition[] = [
  testUnitReady,
  requestSense,
  inquiry,
  reportLuns,
  startStopUnit,
  modeSense6,
  modeSense10,
  readCapacity10,
  readCapacity16,
  read6, read10, read12, read16,
  write6, write10, write12, write16,
  synchronizeCache10,
  synchronizeCache16,
];
