import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError, formatIssue, type ConfigIssue } from '../../../core/config/ConfigError.js';
import { parseYamlSource } from '../../../core/config/DeclarationSource.js';
import { defaultSerial, validateDeclaration, type ValidatedDeclaration } from '../../../core/config/validateDeclaration.js';
import { fakeWorld } from '../../fixtures/host/fakes.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lunhost-validate-'));
const file = path.join(dir, 'targets.yaml');

async function run(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<ValidatedDeclaration | ConfigIssue[]> {
  const src = parseYamlSource(file, yaml);
  if (Array.isArray(src)) return src;
  try {
    return await validateDeclaration(src, { providers: fakeWorld().providers, env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
}

async function issues(yaml: string, env?: NodeJS.ProcessEnv): Promise<ConfigIssue[]> {
  const r = await run(yaml, env);
  if (!Array.isArray(r)) throw new Error('expected the declaration to be refused');
  return r;
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not in the text`);
  return i + 1;
}

const GOOD = `portals:
  - name: local
    listen: 127.0.0.1:3260
targets:
  - iqn: iqn.2026-11.io.lunhost:disk1
    bindings: [ALL]
    luns:
      - lun: 1
        store: file
        path: ./data/disk1.img
        size: 1GiB
`;

t.test('a valid declaration is normalised', async (t) => {
  const r = await run(GOOD + `      - lun: 2
        store: file
        path: /abs/disk2.img
        size: 10G
        blockSize: 4096
        readOnly: true
        serial: DISK2
`);
  if (Array.isArray(r)) { t.fail(r.map((i) => formatIssue(i)).join('\n')); return; }
  const d = r.declaration;
  t.equal(d.file, file);
  t.equal(d.baseDir, dir);
  t.equal(d.stateDir, path.join(dir, 'state'));
  t.equal(d.logLevel, 'info');
  t.same(d.portals, [{ name: 'local', transport: 'iscsi-tcp', host: '127.0.0.1', port: 3260, portalGroupTag: 1, options: {} }]);
  const target = d.targets[0]!;
  t.equal(target.name, 'iqn.2026-11.io.lunhost:disk1');
  t.same(target.portals, ['local']);
  t.same(target.bindings, [{ kind: 'all' }]);
  t.equal(target.auth, null);
  t.equal(target.where, 'targets[0]');
  t.same(target.luns[0], {
    lun: 1, store: 'file', size: 2 ** 30, readOnly: false, allowShrink: false, blockSize: 512,
    physicalBlockSize: null, removable: false, allowSanitize: false,
    serial: defaultSerial('iqn.2026-11.io.lunhost:disk1', 1), options: { path: './data/disk1.img' }, where: 'targets[0].luns[0]',
  });
  t.equal(target.luns[1]!.size, 10 * 2 ** 30);
  t.equal(target.luns[1]!.blockSize, 4096);
  t.equal(target.luns[1]!.readOnly, true);
  t.equal(target.luns[1]!.serial, 'DISK2');
});

t.test('no portals declared: one iscsi-tcp portal on 0.0.0.0:3260', async (t) => {
  const r = await run(GOOD.replace(/portals:\n(.*\n){2}/, ''));
  if (Array.isArray(r)) { t.fail(String(r.map((i) => i.message))); return; }
  t.same(r.declaration.portals.map((p) => [p.name, p.host, p.port]), [['0.0.0.0:3260', '0.0.0.0', 3260]]);
});

t.test('YAML syntax error: file, line and column', async (t) => {
  const yaml = GOOD.replace('    bindings: [ALL]', '    bindings: [ALL\n    alias: x');
  const r = await issues(yaml);
  t.ok(r.length >= 1);
  t.equal(r[0]!.file, file);
  t.match(r[0]!.message, /YAML syntax error/);
  t.ok(r[0]!.line >= lineOf(yaml, 'bindings: [ALL'), `line ${r[0]!.line}`);
});

t.test('a duplicate key is a syntax error with its line', async (t) => {
  const yaml = GOOD.replace('        size: 1GiB', '        size: 1GiB\n        size: 2GiB');
  const r = await issues(yaml);
  t.match(r[0]!.message, /YAML syntax error.*(unique|duplicate)/i);
  t.equal(r[0]!.line, lineOf(yaml, 'size: 2GiB'));
});

t.test('unknown field: points at the key, suggests the close one', async (t) => {
  const yaml = GOOD.replace('        size: 1GiB', '        szie: 1GiB');
  const r = await issues(yaml);
  t.equal(r.length, 1);
  t.equal(r[0]!.field, 'targets[0].luns[0].szie');
  t.equal(r[0]!.line, lineOf(yaml, 'szie'));
  t.equal(r[0]!.column, 9);
  t.match(r[0]!.message, /unknown field 'szie'; did you mean 'size'\?/);
  t.equal(formatIssue(r[0]!, dir), `targets.yaml:${lineOf(yaml, 'szie')}:9 targets[0].luns[0].szie: ${r[0]!.message}`);
});

t.test('unknown field at the top and in a target', async (t) => {
  const yaml = GOOD + 'targetz: []\n';
  const r = await issues(yaml.replace('    bindings: [ALL]', '    bindings: [ALL]\n    colour: blue'));
  t.same(r.map((i) => i.field).sort(), ['targets[0].colour', 'targetz']);
});

t.test('wrong type', async (t) => {
  const yaml = GOOD.replace('      - lun: 1', '      - lun: one');
  const r = await issues(yaml);
  t.equal(r.length, 1);
  t.equal(r[0]!.field, 'targets[0].luns[0].lun');
  t.equal(r[0]!.line, lineOf(yaml, 'lun: one'));
  t.match(r[0]!.message, /must be integer, got string "one"/);
});

t.test('LUN number out of range', async (t) => {
  const r = await issues(GOOD.replace('- lun: 1', '- lun: 16384'));
  t.match(r[0]!.message, /<= 16383/);
});

t.test('duplicate LUN numbers', async (t) => {
  const yaml = GOOD + `      - lun: 1
        store: file
        path: ./other.img
        size: 1G
`;
  const r = await issues(yaml);
  t.equal(r.length, 1);
  t.equal(r[0]!.field, 'targets[0].luns[1].lun');
  t.equal(r[0]!.line, lineOf(yaml, 'path: ./other.img') - 2);
  t.match(r[0]!.message, /LUN 1 is already declared at luns\[0\]/);
});

t.test('bad IQN', async (t) => {
  const yaml = GOOD.replace('iqn.2026-11.io.lunhost:disk1', 'iqn.2026-11:disk1');
  const r = await issues(yaml);
  t.equal(r[0]!.field, 'targets[0].iqn');
  t.equal(r[0]!.line, lineOf(yaml, 'iqn.2026-11:disk1'));
  t.match(r[0]!.message, /not an IQN/);
});

t.test('duplicate target names', async (t) => {
  const yaml = GOOD + `  - iqn: iqn.2026-11.io.lunhost:disk1
    bindings: [ALL]
    luns: []
`;
  const r = await issues(yaml);
  t.equal(r[0]!.field, 'targets[1].iqn');
  t.equal(r[0]!.line, lineOf(yaml, 'luns: []') - 2);
  t.match(r[0]!.message, /already declared at targets\[0\]/);
});

t.test('unknown store type names the plugin to add', async (t) => {
  const yaml = GOOD.replace('store: file', 'store: sheepdog').replace('path: ./data/disk1.img', 'backing: unix:/sheep_store/sock:tgt0');
  const r = await issues(yaml);
  t.equal(r.length, 1);
  t.equal(r[0]!.field, 'targets[0].luns[0].store');
  t.equal(r[0]!.line, lineOf(yaml, 'store: sheepdog'));
  t.match(r[0]!.message, /no plugin provides store type 'sheepdog' \(available: file\).*plugins: \[lunhost-store-sheepdog\]/);
});

t.test('store-specific fields are checked against the store schema', async (t) => {
  const missing = await issues(GOOD.replace('        path: ./data/disk1.img\n', ''));
  t.equal(missing[0]!.field, 'targets[0].luns[0]');
  t.match(missing[0]!.message, /missing required field 'path'/);
  const wrong = GOOD.replace('path: ./data/disk1.img', 'path: 12');
  const r = await issues(wrong);
  t.equal(r[0]!.field, 'targets[0].luns[0].path');
  t.equal(r[0]!.line, lineOf(wrong, 'path: 12'));
  t.match(r[0]!.message, /must be string/);
  const extra = GOOD.replace('path: ./data/disk1.img', 'path: ./a.img\n        backing: x');
  t.match((await issues(extra))[0]!.message, /unknown field 'backing'/);
});

t.test('bad size', async (t) => {
  const yaml = GOOD.replace('size: 1GiB', 'size: 1 gigabyte');
  const r = await issues(yaml);
  t.ok(r.length >= 1);
  t.equal(r[0]!.field, 'targets[0].luns[0].size');
  t.equal(r[0]!.line, lineOf(yaml, 'size: 1 gigabyte'));
  t.match(r[0]!.message, /must be a size like 1GiB/);
  const odd = await issues(GOOD.replace('size: 1GiB', 'size: 1000'));
  t.match(odd[0]!.message, /not a multiple of the block size 512/);
  const auto = await run(GOOD.replace('size: 1GiB', 'size: auto'));
  t.notOk(Array.isArray(auto));
  if (!Array.isArray(auto)) t.equal(auto.declaration.targets[0]!.luns[0]!.size, 'auto');
});

t.test('portals: duplicates, unknown names, bad listen, unknown transport', async (t) => {
  const yaml = `portals:
  - name: a
    listen: 127.0.0.1:3260
  - name: a
    listen: 127.0.0.1:3261
  - name: c
    listen: 127.0.0.1:3260
  - name: d
    listen: 127.0.0.1:99999
  - name: e
    transport: fcoe
    listen: 127.0.0.1
targets:
  - iqn: iqn.2026-11.io.lunhost:disk1
    portals: [a, nowhere]
    bindings: [ALL]
    luns: []
`;
  const r = await issues(yaml);
  const by = (f: string) => r.find((i) => i.field === f);
  t.match(by('portals[1].name')?.message, /already used by portals\[0\]/);
  t.equal(by('portals[1].name')?.line, 4);
  t.match(by('portals[2].listen')?.message, /portals\[0\] already listens on 127.0.0.1:3260/);
  t.match(by('portals[3].listen')?.message, /0\.\.65535/);
  t.match(by('portals[4].transport')?.message, /no plugin provides transport 'fcoe'/);
  t.equal(by('targets[0].portals[1]')?.line, lineOf(yaml, 'nowhere'));
  t.match(by('targets[0].portals[1]')?.message, /no portal named 'nowhere'/);
});

t.test('portal and target options are checked by the transport schemas', async (t) => {
  const yaml = GOOD.replace('    listen: 127.0.0.1:3260', '    listen: 127.0.0.1:3260\n    options: { backlog: many }')
    .replace('    bindings: [ALL]', '    bindings: [ALL]\n    options:\n      MaxRecvDataSegmnetLength: 4096');
  const r = await issues(yaml);
  t.same(r.map((i) => i.field), ['portals[0].options.backlog', 'targets[0].options.MaxRecvDataSegmnetLength']);
  t.match(r[1]!.message, /did you mean 'MaxRecvDataSegmentLength'/);
  t.equal(r[1]!.line, lineOf(yaml, 'MaxRecvDataSegmnetLength'));
});

t.test('bindings: ALL, initiator globs, addresses', async (t) => {
  const ok = await run(GOOD.replace('bindings: [ALL]', 'bindings:\n      - initiator: iqn.1993-08.org.debian:*\n        address: 10.0.0.0/8\n      - address: "2001:db8::/32"'));
  if (Array.isArray(ok)) { t.fail(ok.map((i) => i.message).join()); return; }
  t.same(ok.declaration.targets[0]!.bindings, [
    { kind: 'match', initiator: 'iqn.1993-08.org.debian:*', address: '10.0.0.0/8' },
    { kind: 'match', initiator: null, address: '2001:db8::/32' },
  ]);
  const yaml = GOOD.replace('bindings: [ALL]', 'bindings:\n      - address: 10.0.0.0/33\n      - SOME\n      - {}');
  const r = await issues(yaml);
  t.same(r.map((i) => i.field), ['targets[0].bindings[0].address', 'targets[0].bindings[1]', 'targets[0].bindings[2]']);
  t.match(r[0]!.message, /not an IP address or CIDR/);
  t.match(r[1]!.message, /must be ALL or \{ initiator, address \}/);
});

t.test('CHAP: secret sources and RFC 7143 length', async (t) => {
  writeFileSync(path.join(dir, 'good.chap'), 'a-long-enough-secret\n');
  writeFileSync(path.join(dir, 'short.chap'), 'short\n');
  const withAuth = (auth: string) => GOOD.replace('    bindings: [ALL]', `    bindings: [ALL]\n    auth:\n${auth}`);
  const ok = await run(withAuth('      chap:\n        username: u\n        secretFile: ./good.chap\n      mutualChap:\n        username: t\n        secretEnv: MUTUAL'), { MUTUAL: 'another-long-secret' });
  if (Array.isArray(ok)) { t.fail(ok.map((i) => i.message).join()); return; }
  t.same(ok.declaration.targets[0]!.auth, {
    chap: { username: 'u', secret: 'a-long-enough-secret', secretSource: 'file ./good.chap' },
    mutualChap: { username: 't', secret: 'another-long-secret', secretSource: 'env MUTUAL' },
  });
  const shortYaml = withAuth('      chap:\n        username: u\n        secretFile: ./short.chap');
  const short = await issues(shortYaml);
  t.equal(short[0]!.field, 'targets[0].auth.chap.secretFile');
  t.equal(short[0]!.line, lineOf(shortYaml, 'short.chap'));
  t.match(short[0]!.message, /5 bytes; RFC 7143 requires at least 12/);
  t.match((await issues(withAuth('      chap:\n        username: u\n        secretEnv: NOPE')))[0]!.message, /NOPE is not set/);
  t.match((await issues(withAuth('      chap:\n        username: u\n        secretFile: ./missing.chap')))[0]!.message, /cannot read .*missing\.chap: ENOENT/);
  t.match((await issues(withAuth('      chap:\n        username: u')))[0]!.message, /secretFile .* or secretEnv/);
  const inline = await run(withAuth('      chap:\n        username: u\n        secret: inline-secret-123'));
  if (Array.isArray(inline)) { t.fail('inline secret refused'); return; }
  t.match(inline.warnings[0]!.message, /inline/);
  const same = await issues(withAuth('      chap:\n        username: u\n        secretFile: ./good.chap\n      mutualChap:\n        username: t\n        secretFile: ./good.chap'));
  t.match(same[0]!.message, /different secret/);
});

t.test('not a mapping', async (t) => {
  const r = await issues('- just\n- a list\n');
  t.match(r[0]!.message, /must be a mapping/);
});

t.test('all problems are reported at once, in line order', async (t) => {
  const yaml = GOOD.replace('iqn.2026-11.io.lunhost:disk1', 'disk1').replace('size: 1GiB', 'size: lots').replace('store: file', 'store: file\n        colour: red');
  const r = await issues(yaml);
  t.equal(r.length, 3);
  const lines = r.map((i) => i.line);
  t.same(lines, [...lines].sort((a, b) => a - b));
  const err = new ConfigError(r);
  t.equal(err.message.split('\n').length, 3);
});

t.test('oneOf in a plugin schema: the branch of the value\'s type speaks', async (t) => {
  const { createAjv, schemaIssues } = await import('../../../core/config/schemaIssues.js');
  const { plainSource } = await import('../../../core/config/DeclarationSource.js');
  const validate = createAjv().compile({
    type: 'object',
    properties: { backing: { description: 'a string or { vdi }', oneOf: [{ type: 'string', pattern: '^unix:' }, { type: 'object', required: ['vdi'] }] } },
  });
  const src = (data: unknown) => plainSource(null, data);
  const str = schemaIssues(validate, { backing: 'tcp' }, src({ backing: 'tcp' }), []);
  t.same(str.map((i) => i.message), ['must match pattern "^unix:"']);
  const obj = schemaIssues(validate, { backing: {} }, src({ backing: {} }), []);
  t.same(obj.map((i) => i.message), ["missing required field 'vdi'"]);
  const num = schemaIssues(validate, { backing: 1 }, src({ backing: 1 }), []);
  t.same(num.map((i) => i.message), ['does not match any accepted form: a string or { vdi }']);
});
