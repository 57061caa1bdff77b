import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../../core/log/createLogger.js';

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean }; lines: string[] } {
  const lines: string[] = [];
  const stream = Object.assign(new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } }), { isTTY });
  return { stream, lines };
}

t.test('JSON lines when not a TTY, with levels and child fields', async (t) => {
  const { stream, lines } = sink(false);
  const log = createLogger({ level: 'info', stream });
  log.debug('hidden');
  log.info('hello', { a: 1 });
  log.child({ plugin: 'p' }).warn('careful', { err: new Error('boom') });
  t.equal(lines.length, 2);
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  t.match(first, { level: 'info', msg: 'hello', a: 1 });
  t.type(first.time, 'string');
  t.match(JSON.parse(lines[1]!), { level: 'warn', msg: 'careful', plugin: 'p', err: 'boom' });
  log.setLevel('error');
  log.warn('now hidden');
  t.equal(lines.length, 2);
});

t.test('pretty lines on a TTY', async (t) => {
  const { stream, lines } = sink(true);
  createLogger({ stream }).error('bad thing', { path: './data/disk1.img' });
  t.match(lines[0], /ERROR.*bad thing.*path=.*\.\/data\/disk1\.img/);
});
