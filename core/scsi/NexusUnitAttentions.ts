/**
 * The unit attention queues of one logical unit, one per I_T nexus that
 * knows it. ScsiTarget adds and removes nexuses; handlers raise conditions.
 */
import type { SenseCode } from './SenseCodes.js';
import { UnitAttentionQueue } from './UnitAttentionQueue.js';

export class NexusUnitAttentions {
  private readonly queues = new Map<string, UnitAttentionQueue>();

  addNexus(nexusId: string, initial?: SenseCode): void {
    let q = this.queues.get(nexusId);
    if (q === undefined) {
      q = new UnitAttentionQueue();
      this.queues.set(nexusId, q);
    }
    if (initial !== undefined) q.add(initial);
  }

  removeNexus(nexusId: string): void {
    this.queues.delete(nexusId);
  }

  /** Raise `code` for every nexus, except `exceptNexusId` when given. */
  raise(code: SenseCode, exceptNexusId?: string): void {
    for (const [id, q] of this.queues) if (id !== exceptNexusId) q.add(code);
  }

  raiseFor(nexusId: string, code: SenseCode): void {
    this.queues.get(nexusId)?.add(code);
  }

  /** Drops a pending `code` of one nexus without reporting it. */
  clearFor(nexusId: string, code: SenseCode): void {
    this.queues.get(nexusId)?.remove(code);
  }

  /** Hot path: the condition to report now on this nexus, removed from its queue. */
  take(nexusId: string): SenseCode | undefined {
    const q = this.queues.get(nexusId);
    return q === undefined || q.size === 0 ? undefined : q.take();
  }

  pendingCount(nexusId: string): number {
    return this.queues.get(nexusId)?.size ?? 0;
  }
}
