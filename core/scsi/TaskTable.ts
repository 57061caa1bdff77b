/**
 * The tasks in flight on one logical unit, by nexus and initiator task tag,
 * for task management (ABORT TASK, LUN RESET, ...) and for draining before
 * a LUN is detached. One small record per command; nothing else per I/O.
 */

export class TaskRecord {
  /** Set by task management: the result is replaced by TASK ABORTED. */
  aborted = false;
  /** Callbacks waiting for this task to end (only task management adds them). */
  waiters: Array<() => void> | null = null;
  constructor(readonly nexusId: string, readonly tag: number) {}
}

export class TaskTable {
  private readonly byNexus = new Map<string, Map<number, TaskRecord>>();
  private count = 0;
  private idleWaiters: Array<() => void> = [];
  /** The newest ORDERED task still in flight (SAM-5 8.6), and a promise of its end. */
  private orderedTask: TaskRecord | null = null;
  private orderedEnd: Promise<void> | null = null;

  get size(): number {
    return this.count;
  }

  begin(nexusId: string, tag: number): TaskRecord {
    let tasks = this.byNexus.get(nexusId);
    if (tasks === undefined) {
      tasks = new Map();
      this.byNexus.set(nexusId, tasks);
    }
    const task = new TaskRecord(nexusId, tag);
    // A reused tag replaces the old entry; the old task still ends normally.
    if (!tasks.has(tag)) this.count++;
    tasks.set(tag, task);
    return task;
  }

  end(task: TaskRecord): void {
    if (this.orderedTask === task) {
      this.orderedTask = null;
      this.orderedEnd = null;
    }
    const tasks = this.byNexus.get(task.nexusId);
    if (tasks !== undefined && tasks.get(task.tag) === task) {
      tasks.delete(task.tag);
      this.count--;
      if (tasks.size === 0) this.byNexus.delete(task.nexusId);
    }
    if (task.waiters !== null) for (const w of task.waiters) w();
    if (this.count === 0 && this.idleWaiters.length > 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  find(nexusId: string, tag: number): TaskRecord | undefined {
    return this.byNexus.get(nexusId)?.get(tag);
  }

  /** Tasks of one nexus, or of all nexuses when nexusId is undefined. */
  list(nexusId?: string): TaskRecord[] {
    if (nexusId !== undefined) return [...(this.byNexus.get(nexusId)?.values() ?? [])];
    const all: TaskRecord[] = [];
    for (const tasks of this.byNexus.values()) all.push(...tasks.values());
    return all;
  }

  /**
   * What a new SIMPLE task must wait for before it runs: the end of the newest
   * ORDERED task in flight, or null (run now). HEAD OF QUEUE tasks never wait.
   */
  get orderedBarrier(): Promise<void> | null {
    return this.orderedEnd;
  }

  /**
   * Makes `task` (just begun, ORDERED) the barrier later tasks wait for, and
   * returns the promise of every earlier task's end, which it waits for.
   */
  beginOrdered(task: TaskRecord): Promise<unknown> {
    const earlier = this.list().filter((t) => t !== task).map((t) => this.settled(t));
    this.orderedTask = task;
    this.orderedEnd = this.settled(task);
    return Promise.all(earlier);
  }

  /** Resolves when `task` has ended (immediately if it already has). */
  settled(task: TaskRecord): Promise<void> {
    if (this.byNexus.get(task.nexusId)?.get(task.tag) !== task) return Promise.resolve();
    return new Promise((resolve) => {
      (task.waiters ??= []).push(resolve);
    });
  }

  /** Resolves when no task is in flight. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
