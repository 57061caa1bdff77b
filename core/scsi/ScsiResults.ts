/** Shared result values and the allocation-length rule for data-in commands. */
import { ScsiStatus, type ScsiResult } from './ScsiCommand.js';

export const GOOD: ScsiResult = Object.freeze({ status: ScsiStatus.Good, sense: null, dataIn: null });

/** What execute() resolves with for an aborted task; the transport sends no response for it. */
export const TASK_ABORTED: ScsiResult = Object.freeze({ status: ScsiStatus.TaskAborted, sense: null, dataIn: null });

/**
 * GOOD with parameter data cut to the CDB's allocation length (SPC-4 4.2.5.6:
 * never return more than the allocation length).
 */
export function goodWithData(data: Buffer, allocationLength: number): ScsiResult {
  return { status: ScsiStatus.Good, sense: null, dataIn: data.length > allocationLength ? data.subarray(0, allocationLength) : data };
}
