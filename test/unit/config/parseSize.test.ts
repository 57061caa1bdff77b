import t from 'tap';
import { formatSize, parseSize } from '../../../core/config/parseSize.js';

t.test('units are binary, with or without iB', async (t) => {
  t.equal(parseSize('1GiB'), 2 ** 30);
  t.equal(parseSize('10G'), 10 * 2 ** 30);
  t.equal(parseSize('512MiB'), 512 * 2 ** 20);
  t.equal(parseSize('512m'), 512 * 2 ** 20);
  t.equal(parseSize('4K'), 4096);
  t.equal(parseSize('4KiB'), 4096);
  t.equal(parseSize('2T'), 2 * 2 ** 40);
  t.equal(parseSize('1.5G'), 1.5 * 2 ** 30);
  t.equal(parseSize('4096'), 4096);
  t.equal(parseSize('4096B'), 4096);
  t.equal(parseSize(1048576), 1048576);
});

t.test('bad sizes say what is accepted', async (t) => {
  for (const bad of ['1 GB extra', 'big', '10X', '', '-1G']) {
    const r = parseSize(bad);
    t.type(r, Error, bad);
    t.match((r as Error).message, /1GiB/, bad);
  }
  t.type(parseSize(0), Error);
  t.type(parseSize(1.5), Error);
  t.type(parseSize('0G'), Error);
  t.match((parseSize('1.0000001K') as Error).message, /whole number/);
});

t.test('formatSize', async (t) => {
  t.equal(formatSize(2 ** 30), '1GiB');
  t.equal(formatSize(3 * 2 ** 20), '3MiB');
  t.equal(formatSize(1000), '1000B');
});
