import t from 'tap';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import storeFilePlugin from '../../../plugins/store-file/index.js';
import { createHostHooks } from '../../../core/host/HostHooks.js';
import { MemoryLogger } from '../../helpers/MemoryLogger.js';

t.test('registers the file store provider', async (t) => {
  const { hooks, storeTypes } = createHostHooks();
  await storeFilePlugin.apply({ hooks, log: new MemoryLogger(), version: '0.0.0' }, {});
  t.equal(storeFilePlugin.name, 'store-file');
  t.ok(storeTypes.has('file'));
  const provider = hooks.store.for('file').call();
  t.equal(provider?.type, 'file');
  t.same(provider?.optionsSchema.required, ['path']);
  t.equal(provider?.defaultSize, null);
  t.equal(provider?.describe({ path: './d.img' }), 'file ./d.img');
});

t.test('open resolves relative paths against baseDir', async (t) => {
  const { hooks } = createHostHooks();
  await storeFilePlugin.apply({ hooks, log: new MemoryLogger(), version: '0.0.0' }, {});
  const provider = hooks.store.for('file').call();
  const dir = t.testdir();
  const store = await provider!.open({
    options: { path: 'data/disk.img' }, size: 1024 * 1024, readOnly: false, blockSize: 512,
    baseDir: dir, stateDir: join(dir, 'state'), log: new MemoryLogger(),
  });
  t.equal(store.size, 1024 * 1024);
  t.equal((await stat(join(dir, 'data', 'disk.img'))).size, 1024 * 1024);
  await store.close();
});
