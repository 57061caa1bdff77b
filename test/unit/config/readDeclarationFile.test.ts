import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError } from '../../../core/config/ConfigError.js';
import { readDeclarationFile } from '../../../core/config/readDeclarationFile.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'lunhost-read-'));
function dirWith(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(root, 'd-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    writeFileSync(path.join(d, name), text);
  }
  return d;
}

async function refusal(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('finds targets.yaml in the working directory, with positions', async (t) => {
  const d = dirWith({ 'targets.yaml': 'targets:\n  - iqn: iqn.2026-11.io.lunhost:a\n' });
  const src = await readDeclarationFile({ cwd: d });
  t.equal(src.file, path.join(d, 'targets.yaml'));
  t.same(src.data, { targets: [{ iqn: 'iqn.2026-11.io.lunhost:a' }] });
  t.same(src.locate(['targets', 0, 'iqn']), { line: 2, column: 10 });
  t.same(src.locate(['targets', 0, 'iqn'], 'key'), { line: 2, column: 5 });
  // A missing field points at the nearest ancestor.
  t.same(src.locate(['targets', 0, 'luns']), { line: 2, column: 5 });
});

t.test('targets.yaml wins over lunhost.config.json; package.json key is found last', async (t) => {
  const d = dirWith({ 'targets.yaml': 'logLevel: debug\n', 'lunhost.config.json': '{"logLevel": "warn"}' });
  t.equal((await readDeclarationFile({ cwd: d })).file, path.join(d, 'targets.yaml'));
  const j = dirWith({ 'lunhost.config.json': '{\n  "logLevel": "warn"\n}\n' });
  const src = await readDeclarationFile({ cwd: j });
  t.same(src.data, { logLevel: 'warn' });
  t.same(src.locate(['logLevel']), { line: 2, column: 15 });
  const p = dirWith({ 'package.json': '{\n  "name": "x",\n  "lunhost": {\n    "logLevel": "error"\n  }\n}\n' });
  const ps = await readDeclarationFile({ cwd: p });
  t.same(ps.data, { logLevel: 'error' });
  t.same(ps.locate(['logLevel']), { line: 4, column: 17 });
});

t.test('--config wins', async (t) => {
  const d = dirWith({ 'targets.yaml': 'logLevel: debug\n', 'other/x.yaml': 'logLevel: warn\n' });
  const src = await readDeclarationFile({ cwd: d, configPath: 'other/x.yaml' });
  t.same(src.data, { logLevel: 'warn' });
  t.equal(src.file, path.join(d, 'other/x.yaml'));
});

t.test('JavaScript declarations load (without positions)', async (t) => {
  const d = dirWith({ 'lunhost.config.mjs': 'export default { logLevel: "warn" };\n' });
  const src = await readDeclarationFile({ cwd: d });
  t.same(src.data, { logLevel: 'warn' });
  t.same(src.locate(['logLevel']), { line: 0, column: 0 });
});

t.test('a YAML syntax error names file, line and column', async (t) => {
  const d = dirWith({ 'targets.yaml': 'targets:\n  - iqn: a\n   bad: [\n' });
  const err = await refusal(readDeclarationFile({ cwd: d }));
  t.equal(err.issues[0]!.file, path.join(d, 'targets.yaml'));
  t.ok(err.issues[0]!.line >= 2);
  t.match(err.issues[0]!.message, /YAML syntax error/);
});

t.test('nothing found, missing --config file, empty file', async (t) => {
  const d = dirWith({});
  t.match((await refusal(readDeclarationFile({ cwd: d }))).message, /no declaration found .*create targets\.yaml or pass --config/);
  t.match((await refusal(readDeclarationFile({ cwd: d, configPath: 'nope.yaml' }))).message, /nope\.yaml file not found/);
  const e = dirWith({ 'targets.yaml': '\n' });
  t.match((await refusal(readDeclarationFile({ cwd: e }))).message, /empty/);
});
