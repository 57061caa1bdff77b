/**
 * Mutations of one framed PDU (BHS + data as wire bytes) and of login/text
 * key lists, for the transport fuzz test. Each mutation keeps the result
 * small: nothing here makes the fuzzer itself allocate without bound.
 */
import type { KeyValue } from '../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import type { SeededRandom } from './SeededRandom.js';

export type ByteMutation =
  | 'flip-bits' | 'random-byte' | 'opcode' | 'flags' | 'data-length' | 'ahs-length'
  | 'truncate' | 'garbage-tail' | 'duplicate' | 'drop' | 'data-bytes' | 'garbage-only';

const BYTE_MUTATIONS: readonly ByteMutation[] = [
  'flip-bits', 'random-byte', 'opcode', 'flags', 'data-length', 'ahs-length',
  'truncate', 'garbage-tail', 'duplicate', 'drop', 'data-bytes', 'garbage-only',
];

/** Returns the mutated bytes (possibly empty) and the mutation's name. */
export function mutateFrame(rng: SeededRandom, frame: Buffer): { bytes: Buffer; mutation: ByteMutation } {
  const mutation = rng.pick(BYTE_MUTATIONS);
  const b = Buffer.from(frame);
  const headerEnd = Math.min(48, b.length);
  switch (mutation) {
    case 'flip-bits':
      for (let i = 1 + rng.int(4); i > 0; i--) b[rng.int(headerEnd)]! ^= 1 << rng.int(8);
      return { bytes: b, mutation };
    case 'random-byte':
      b[rng.int(b.length)] = rng.int(256);
      return { bytes: b, mutation };
    case 'opcode':
      b[0] = (b[0]! & 0x40) | rng.int(64);
      return { bytes: b, mutation };
    case 'flags':
      b[1] = rng.int(256);
      return { bytes: b, mutation };
    case 'data-length': {
      // Mostly plausible lengths, sometimes the 24-bit maximum.
      const n = rng.chance(0.2) ? 0xffffff : rng.int(rng.chance(0.5) ? 600 : 300_000);
      b[5] = n >> 16; b[6] = (n >> 8) & 0xff; b[7] = n & 0xff;
      return { bytes: b, mutation };
    }
    case 'ahs-length':
      b[4] = rng.int(256);
      return { bytes: b, mutation };
    case 'truncate':
      return { bytes: b.subarray(0, rng.int(b.length)), mutation };
    case 'garbage-tail':
      return { bytes: Buffer.concat([b, rng.bytes(1 + rng.int(96))]), mutation };
    case 'duplicate':
      return { bytes: Buffer.concat([b, b]), mutation };
    case 'drop':
      return { bytes: Buffer.alloc(0), mutation };
    case 'data-bytes':
      if (b.length > 48) for (let i = 1 + rng.int(8); i > 0; i--) b[48 + rng.int(b.length - 48)] = rng.int(256);
      return { bytes: b, mutation };
    case 'garbage-only':
      return { bytes: rng.bytes(1 + rng.int(200)), mutation };
  }
}

/** Values that have broken text parsers and CHAP decoders elsewhere. */
const TRICKY_VALUES: readonly string[] = [
  '', '0x', '0b', '0b====', '0x0', '0xZZ', '0b!!', 'Reject', 'NotUnderstood', 'Irrelevant', 'None', 'CHAP',
  '-1', '0', '4294967296', '99999999999999999999', '1e9', 'Yes,No', ',,,', 'ä€😀', '5,6,7,8,5,6,7,8',
  `0x${'f'.repeat(2100)}`, `0b${'A'.repeat(1500)}`, 'x'.repeat(300), '=', '==',
];

/** Changes a key list the way a broken or hostile initiator might. */
export function mutateKeys(rng: SeededRandom, keys: readonly KeyValue[]): KeyValue[] {
  const out = keys.map(([k, v]) => [k, v] as [string, string]);
  switch (rng.int(6)) {
    case 0:
      if (out.length) out[rng.int(out.length)]![1] = rng.pick(TRICKY_VALUES);
      break;
    case 1:
      if (out.length) out.splice(rng.int(out.length), 1);
      break;
    case 2:
      if (out.length) out.push([...out[rng.int(out.length)]!]);
      break;
    case 3:
      out.push([rng.pick(['X-unknown', 'X#vendor', 'CHAP_C', 'CHAP_I', 'AuthMethod', 'SessionType', 'MaxConnections', 'TargetName', 'SendTargets']), rng.pick(TRICKY_VALUES)]);
      break;
    case 4:
      for (let i = out.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      break;
    case 5:
      out.length = 0;
      break;
  }
  return out;
}
