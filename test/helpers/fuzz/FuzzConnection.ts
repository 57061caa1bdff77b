/**
 * One initiator connection for the fuzz test: sends framed PDUs (through an
 * optional mutation), collects the target's PDUs without ever throwing on
 * them, and waits for a Login Response or a tagged reply with a deadline.
 */
import { connect, type Socket } from 'node:net';
import { Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import { decodeBhs } from '../../../plugins/transport-iscsi-tcp/pdu/PduCodec.js';
import type { AnyPdu, InitiatorPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import { PduReader } from '../../../plugins/transport-iscsi-tcp/pdu/PduReader.js';
import { framePdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduFrame.js';
import { dataAsBuffer } from '../../../plugins/transport-iscsi-tcp/pdu/ReceivedPdu.js';

export interface Frame {
  readonly pdu: AnyPdu;
  readonly data: Buffer;
}

export class FuzzConnection {
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | null = null;
  ended = false;
  /** PDUs handed to `send` (before mutation: a dropped PDU still counts). */
  sent = 0;

  private constructor(private readonly socket: Socket) {
    const reader = new PduReader({ maxDataSegmentLength: 1 << 24, headerDigest: false, dataDigest: false }, (p) => {
      try {
        // Keep only what tests look at; a long run must not hoard Data-In.
        if (this.frames.length < 256) this.frames.push({ pdu: decodeBhs(p.bhs), data: Buffer.from(dataAsBuffer(p)) });
      } catch {
        // A PDU this client cannot decode is the target's bug, reported by the test's checks instead.
      }
      this.wake();
    });
    socket.on('data', (c: Buffer) => {
      try { reader.push(c); } catch { socket.destroy(); }
    });
    socket.on('close', () => { this.ended = true; this.wake(); });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new FuzzConnection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Frames `pdu` and writes it, after `mutate` when given. */
  send(pdu: InitiatorPdu, data: Buffer | null, mutate?: (frame: Buffer) => Buffer): void {
    this.sent++;
    if (this.ended) return;
    const frame = Buffer.concat(framePdu(pdu, data && data.length ? data : null));
    const bytes = mutate ? mutate(frame) : frame;
    if (bytes.length) this.socket.write(bytes);
  }

  writeRaw(bytes: Buffer): void {
    if (!this.ended) this.socket.write(bytes);
  }

  /** The first received frame matching `match` (removed from the queue), or null at the deadline / on close. */
  async take(match: (f: Frame) => boolean, ms: number): Promise<Frame | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  takeLoginResponse(ms: number): Promise<Frame | null> {
    return this.take((f) => f.pdu.opcode === Opcode.LoginResponse, ms);
  }

  /** Drops what was received so far. */
  discard(): void {
    this.frames.length = 0;
  }

  /** Waits until the target closes or `ms` pass. */
  async closedWithin(ms: number): Promise<boolean> {
    await this.take(() => false, ms);
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }
}
