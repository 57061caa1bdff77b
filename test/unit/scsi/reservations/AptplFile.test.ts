import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AptplFile } from '../../../../core/scsi/reservations/AptplFile.js';
import { PrType } from '../../../../core/scsi/reservations/PersistentReservationType.js';
import { newState, nexus, reg } from './nexusFixture.js';

const A = nexus('iqn.2026-01.test:a');
const B = nexus('iqn.2026-01.test:b');
const NAA = Buffer.from('600a4c4800112233445566778899aabb', 'hex');

t.test('APTPL state survives a new instance (restart)', async (t) => {
  const dir = t.testdir();
  const first = newState([A, B], new AptplFile(dir, NAA)).state;
  first.register(A, reg(0n, 0xabcdef0123456789n, { aptpl: true }), false);
  first.register(B, reg(0n, 2n, { aptpl: true }), false);
  first.reserve(A, 0xabcdef0123456789n, PrType.ExclusiveAccessRegistrantsOnly);
  await first.persist();
  const file = path.join(dir, `pr-${NAA.toString('hex')}.json`);
  t.ok(existsSync(file), 'file named from the LU identity');

  const second = newState([], new AptplFile(dir, NAA)).state;
  t.ok(second.aptpl);
  t.same(second.registrations.map((r) => r.key), [0xabcdef0123456789n, 2n]);
  t.equal(second.registrationOf(A)?.key, 0xabcdef0123456789n, 'the same initiator port finds its registration after reconnecting');
  t.equal(second.reservation?.type, PrType.ExclusiveAccessRegistrantsOnly);
  t.equal(second.reservation?.holder, second.registrationOf(A));
  t.equal(second.generation, 0, 'PRgeneration restarts at 0 after power on');
  t.equal(second.spc2Holder, null);
});

t.test('APTPL 0 keeps nothing on disk', async (t) => {
  const dir = t.testdir();
  const file = new AptplFile(dir, NAA);
  const s = newState([A], file).state;
  s.register(A, reg(0n, 1n, { aptpl: true }), false);
  await s.persist();
  t.ok(existsSync(file.path));
  s.register(A, reg(1n, 3n, { aptpl: false }), false);
  await s.persist();
  t.notOk(existsSync(file.path), 'the last APTPL was 0: file removed');
  t.equal(newState([], new AptplFile(dir, NAA)).state.registrations.length, 0, 'a restart loses the registrations');
});

t.test('writes land in call order', async (t) => {
  const dir = t.testdir();
  const file = new AptplFile(dir, NAA);
  const s = newState([A], file).state;
  s.register(A, reg(0n, 1n, { aptpl: true }), false);
  const p1 = s.persist();
  s.register(A, reg(1n, 2n, { aptpl: true }), false);
  const p2 = s.persist();
  await Promise.all([p1, p2]);
  const saved = JSON.parse(readFileSync(file.path, 'utf8')) as { registrations: Array<{ key: string }> };
  t.equal(saved.registrations[0].key, '2');
});

t.test('a damaged file is moved aside and reported, the LU starts empty', async (t) => {
  const dir = t.testdir();
  const file = new AptplFile(dir, NAA);
  writeFileSync(file.path, '{"version":1,"registrations":[{"key":"zz"}]}');
  const s = newState([], file).state;
  t.equal(s.registrations.length, 0);
  t.match(file.problem, /damaged; moved aside/);
  t.ok(existsSync(`${file.path}.invalid`));
  writeFileSync(file.path, 'not json');
  t.equal(new AptplFile(dir, NAA).load(), null);
});

t.test('without a state directory APTPL is not offered', async (t) => {
  const s = newState([A]).state;
  t.notOk(s.persistCapable);
  await s.persist(); // no-op
  t.pass();
});
