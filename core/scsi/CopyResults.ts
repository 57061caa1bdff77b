/**
 * Held results of EXTENDED COPY commands (SPC-4 6.4.3, LIST ID USAGE 00b)
 * for RECEIVE COPY RESULTS, per I_T nexus and list identifier. A copy
 * runs to its end inside its command, so a held result is always final;
 * it is dropped once reported, or when its nexus goes away.
 */

export const enum CopyManagerStatus {
  InProgress = 0x00,
  CompletedWithoutErrors = 0x01,
  CompletedWithErrors = 0x02,
}

export interface CopyResult {
  readonly status: CopyManagerStatus;
  readonly segmentsProcessed: number;
  /** Bytes written to copy destinations. */
  readonly transferredBytes: number;
}

/** More held results than this per nexus and the oldest are forgotten (HELD DATA LIMIT). */
export const MAX_HELD_RESULTS = 64;

export class CopyResults {
  private readonly byNexus = new Map<string, Map<number, CopyResult>>();

  hold(nexusId: string, listId: number, result: CopyResult): void {
    let lists = this.byNexus.get(nexusId);
    if (lists === undefined) this.byNexus.set(nexusId, (lists = new Map()));
    lists.delete(listId);
    lists.set(listId, result);
    if (lists.size > MAX_HELD_RESULTS) lists.delete(lists.keys().next().value as number);
  }

  /** The held result of `listId`, removed from the table; undefined when none is held. */
  take(nexusId: string, listId: number): CopyResult | undefined {
    const lists = this.byNexus.get(nexusId);
    const result = lists?.get(listId);
    if (result !== undefined) lists!.delete(listId);
    return result;
  }

  forgetNexus(nexusId: string): void {
    this.byNexus.delete(nexusId);
  }
}
