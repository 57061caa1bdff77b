/** What a store plugin registers for its store type (`luns[].store`). */
import type { Logger } from '../log/Logger.js';
import type { JsonSchemaObject } from '../plugin/JsonSchema.js';
import type { BackingStore } from './BackingStore.js';

export interface StoreOpenRequest {
  /** Store-specific LUN fields, validated against optionsSchema (e.g. { path } or { backing }). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Declared size in bytes, or 'auto' (use the backing object's own size). */
  readonly size: number | 'auto';
  /** The LUN is declared read-only: open without write access where possible. */
  readonly readOnly: boolean;
  /** Logical block size of the LUN (512 or 4096); offsets will be multiples of it. */
  readonly blockSize: number;
  /** Directory of the declaration file: relative paths in options are relative to it. */
  readonly baseDir: string;
  /** A directory the store may keep state in (created by the host). */
  readonly stateDir: string;
  readonly log: Logger;
}

export interface StoreProvider {
  /** The `store:` value, e.g. 'file', 'sheepdog', 'curve'. */
  readonly type: string;
  /** JSON Schema of the store-specific LUN fields (properties beside lun/store/size/...). */
  readonly optionsSchema: JsonSchemaObject;
  /** Default for `size` when the LUN omits it. */
  readonly defaultSize: number | 'auto' | null;
  /** One line for humans: what this LUN is backed by, e.g. 'file ./data/disk1.img'. */
  describe(options: Readonly<Record<string, unknown>>): string;
  open(req: StoreOpenRequest): Promise<BackingStore>;
}
