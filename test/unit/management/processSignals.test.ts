import t from 'tap';
import { EventEmitter } from 'node:events';
import { installProcessSignals } from '../../../core/reload/processSignals.js';
import { silentLogger } from '../../../core/log/createLogger.js';

function setup() {
  const proc = new EventEmitter();
  const exits: number[] = [];
  let reloads = 0;
  let finishShutdown: (err?: Error) => void = () => {};
  const shutdowns: string[] = [];
  const uninstall = installProcessSignals({
    reload: () => { reloads++; },
    shutdown: (signal) => {
      shutdowns.push(signal);
      return new Promise<void>((resolve, reject) => { finishShutdown = (err) => (err ? reject(err) : resolve()); });
    },
    log: silentLogger(),
    exit: (code) => { exits.push(code); },
    process: proc as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
  });
  return { proc, exits, shutdowns, get reloads() { return reloads; }, finish: (err?: Error) => finishShutdown(err), uninstall };
}

const tick = () => new Promise((r) => setImmediate(r));

t.test('SIGHUP reloads', async (t) => {
  const s = setup();
  s.proc.emit('SIGHUP', 'SIGHUP');
  s.proc.emit('SIGHUP', 'SIGHUP');
  t.equal(s.reloads, 2);
  t.same(s.exits, []);
});

t.test('SIGTERM shuts down gracefully, then exits 0', async (t) => {
  const s = setup();
  s.proc.emit('SIGTERM', 'SIGTERM');
  t.same(s.shutdowns, ['SIGTERM']);
  await tick();
  t.same(s.exits, [], 'no exit before the shutdown finished');
  s.proc.emit('SIGHUP', 'SIGHUP');
  t.equal(s.reloads, 0, 'no reload while shutting down');
  s.finish();
  await tick();
  t.same(s.exits, [0]);
});

t.test('a second SIGINT exits at once with 130', async (t) => {
  const s = setup();
  s.proc.emit('SIGINT', 'SIGINT');
  s.proc.emit('SIGINT', 'SIGINT');
  t.same(s.exits, [130]);
  t.same(s.shutdowns, ['SIGINT'], 'shutdown is not started twice');
});

t.test('a failed shutdown exits 1; uninstall removes the handlers', async (t) => {
  const s = setup();
  s.proc.emit('SIGTERM', 'SIGTERM');
  s.finish(new Error('store flush failed'));
  await tick();
  t.same(s.exits, [1]);
  s.uninstall();
  t.equal(s.proc.listenerCount('SIGTERM') + s.proc.listenerCount('SIGINT') + s.proc.listenerCount('SIGHUP'), 0);
});
