import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, renameSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeclarationWatcher } from '../../../core/reload/DeclarationWatcher.js';
import { silentLogger } from '../../../core/log/createLogger.js';

const DEBOUNCE_MS = 100;

async function watched(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'lunhost-watch-'));
  const file = join(dir, 'targets.yaml');
  writeFileSync(file, 'targets: []\n');
  let changes = 0;
  const waiters: (() => void)[] = [];
  const watcher = new DeclarationWatcher({
    file, debounceMs: DEBOUNCE_MS, log: silentLogger(),
    onChange: () => { changes++; waiters.splice(0).forEach((w) => w()); },
  });
  await watcher.start();
  t.teardown(() => { watcher.stop(); rmSync(dir, { recursive: true, force: true }); });
  return {
    dir, file,
    get changes() { return changes; },
    /** Resolves at the next onChange; fails the test if none comes within 10 s. */
    nextChange: () => new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      waiters.push(() => { clearTimeout(timer); resolve(true); });
    }),
  };
}

t.test('an in-place write is seen once, after the burst of writes settles', async (t) => {
  const w = await watched(t);
  const next = w.nextChange();
  // An editor's save can be several writes; they must give one reload.
  for (let i = 0; i < 5; i++) writeFileSync(w.file, `targets: []\n# edit ${i}\n`);
  t.ok(await next, 'onChange called');
  // Long enough for any further debounced check of that burst to have run.
  await sleep(DEBOUNCE_MS * 5);
  t.equal(w.changes, 1, 'one call for the burst');
});

t.test('a save by rename (write a temp file, rename over) is seen', async (t) => {
  const w = await watched(t);
  const next = w.nextChange();
  const tmp = join(w.dir, '.targets.yaml.swp');
  writeFileSync(tmp, 'targets: []\n# saved by rename\n');
  renameSync(tmp, w.file);
  t.ok(await next, 'onChange after the rename');
  // And the watch survives the inode change: a second rename-save is seen too.
  const again = w.nextChange();
  writeFileSync(tmp, 'targets: []\n# second save\n');
  renameSync(tmp, w.file);
  t.ok(await again, 'onChange after a second rename');
  t.equal(w.changes, 2);
});

t.test('same content (touch, save without edits) and other files change nothing', async (t) => {
  const w = await watched(t);
  writeFileSync(w.file, 'targets: []\n');
  utimesSync(w.file, new Date(), new Date());
  writeFileSync(join(w.dir, 'other.yaml'), 'x: 1\n');
  // Past the debounce: a check of these events would have run by now.
  await sleep(DEBOUNCE_MS * 5);
  t.equal(w.changes, 0, 'no change for identical content');
  const next = w.nextChange();
  writeFileSync(w.file, 'targets: [] # real edit\n');
  t.ok(await next);
  t.equal(w.changes, 1, 'only the real edit counted');
});

t.test('a deleted then recreated file: the recreation with new content is seen', async (t) => {
  const w = await watched(t);
  const next = w.nextChange();
  rmSync(w.file);
  await sleep(DEBOUNCE_MS * 3);
  t.equal(w.changes, 0, 'a missing file is not a change');
  writeFileSync(w.file, 'targets: [] # recreated\n');
  t.ok(await next);
});
