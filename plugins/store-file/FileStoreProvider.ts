/** The StoreProvider for `store: file`: a LUN backed by a local file or block device. */
import { isAbsolute, resolve } from 'node:path';
import type { BackingStore } from '../../core/store/BackingStore.js';
import type { StoreOpenRequest, StoreProvider } from '../../core/store/StoreProvider.js';
import { FileStore } from './FileStore.js';

export const fileStoreProvider: StoreProvider = {
  type: 'file',
  optionsSchema: {
    type: 'object',
    properties: {
      path: {
        type: 'string',
        minLength: 1,
        description: 'Backing file (created sparse when absent; size: required then) or block device. Relative paths are relative to the declaration file.',
      },
    },
    required: ['path'],
  },
  // No default: an existing file's own size is used when size is omitted or 'auto'; a new file needs one.
  defaultSize: null,
  describe(options: Readonly<Record<string, unknown>>): string {
    return `file ${String(options.path)}`;
  },
  open(req: StoreOpenRequest): Promise<BackingStore> {
    const raw = String(req.options.path);
    return FileStore.open({
      path: isAbsolute(raw) ? raw : resolve(req.baseDir, raw),
      size: req.size,
      readOnly: req.readOnly,
      blockSize: req.blockSize,
      log: req.log,
      stateDir: req.stateDir,
    });
  },
};
