/** CmdSN ordering, ExpCmdSN/MaxCmdSN and the bound on commands in flight. */
import t from 'tap';
import { CommandWindow } from '../../../plugins/transport-iscsi-tcp/session/CommandWindow.js';
import { snLessThan } from '../../../plugins/transport-iscsi-tcp/session/SerialNumber.js';

t.test('serial number arithmetic wraps', async (t) => {
  t.ok(snLessThan(0xffffffff, 0));
  t.ok(snLessThan(1, 2));
  t.notOk(snLessThan(2, 1));
  t.notOk(snLessThan(5, 5));
});

t.test('commands run in CmdSN order, gaps wait', async (t) => {
  const w = new CommandWindow(10, 4);
  const ran: number[] = [];
  t.equal(w.maxCmdSN, 13);
  t.equal(w.submit(11, () => ran.push(11)), 'queued');
  t.equal(w.submit(12, () => ran.push(12)), 'queued');
  t.same(ran, []);
  t.equal(w.submit(10, () => ran.push(10)), 'delivered');
  t.same(ran, [10, 11, 12]);
  t.equal(w.expCmdSN, 13);
  t.equal(w.submit(12, () => ran.push(99)), 'outside-window', 'already used');
  t.equal(w.submit(17, () => ran.push(99)), 'outside-window', 'beyond MaxCmdSN');
});

t.test('MaxCmdSN opens only as commands finish, never goes back', async (t) => {
  const w = new CommandWindow(1, 2);
  w.submit(1, () => undefined);
  w.submit(2, () => undefined);
  t.equal(w.maxCmdSN, 2, 'two running: window closed (MaxCmdSN = ExpCmdSN - 1)');
  t.equal(w.submit(3, () => undefined), 'outside-window');
  w.finished();
  t.equal(w.maxCmdSN, 3);
  w.finished();
  t.equal(w.maxCmdSN, 4);
  w.startImmediate();
  t.equal(w.maxCmdSN, 4, 'does not shrink');
});

t.test('wraps around 2^32', async (t) => {
  const w = new CommandWindow(0xfffffffe, 8);
  const ran: number[] = [];
  for (const sn of [0xfffffffe, 0xffffffff, 0, 1]) w.submit(sn, () => ran.push(sn));
  t.same(ran, [0xfffffffe, 0xffffffff, 0, 1]);
  t.equal(w.expCmdSN, 2);
});
