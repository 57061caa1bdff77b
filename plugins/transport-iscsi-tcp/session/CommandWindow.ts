/**
 * The session's command numbering (RFC 7143 4.2.2.1 and 3.2.2.1): delivers
 * non-immediate requests in CmdSN order, keeps ExpCmdSN, and opens MaxCmdSN
 * only as far as there is room for more commands, so an initiator can never
 * have more than `depth` commands with us at once. MaxCmdSN never goes back.
 */
import { snAdd, snLessOrEqual, snLessThan } from './SerialNumber.js';

export type SubmitResult = 'delivered' | 'queued' | 'outside-window' | 'duplicate';

export class CommandWindow {
  private exp: number;
  private max: number;
  private readonly waiting = new Map<number, () => void>();
  /** Commands delivered and not yet finished (plus immediate ones). */
  private running = 0;

  constructor(firstCmdSN: number, private readonly depth: number) {
    this.exp = firstCmdSN >>> 0;
    this.max = snAdd(this.exp, depth - 1);
  }

  get expCmdSN(): number {
    return this.exp;
  }

  get maxCmdSN(): number {
    return this.max;
  }

  get inFlight(): number {
    return this.running + this.waiting.size;
  }

  /** A non-immediate request: run now, hold until its turn, or refuse (outside the window: ignored per RFC 7143 4.2.2.1). */
  submit(cmdSN: number, run: () => void): SubmitResult {
    cmdSN >>>= 0;
    if (snLessThan(cmdSN, this.exp) || !snLessOrEqual(cmdSN, this.max)) return 'outside-window';
    if (cmdSN !== this.exp) {
      if (this.waiting.has(cmdSN)) return 'duplicate';
      this.waiting.set(cmdSN, run);
      return 'queued';
    }
    this.deliver(run);
    for (let next = this.waiting.get(this.exp); next; next = this.waiting.get(this.exp)) {
      this.waiting.delete(this.exp);
      this.deliver(next);
    }
    return 'delivered';
  }

  /** An immediate request starts (it does not take a CmdSN). */
  startImmediate(): void {
    this.running++;
  }

  /** A delivered or immediate request finished; room for one more. */
  finished(): void {
    if (this.running > 0) this.running--;
    this.open();
  }

  private deliver(run: () => void): void {
    this.exp = snAdd(this.exp, 1);
    this.running++;
    this.open();
    run();
  }

  private open(): void {
    const room = this.depth - this.running;
    const candidate = snAdd(this.exp, room - 1);
    if (snLessThan(this.max, candidate)) this.max = candidate;
  }
}
