/**
 * Size of a block device in bytes. Node has no ioctl(BLKGETSIZE64), so the
 * kernel's sysfs view is read: /sys/dev/block/MAJ:MIN/size counts 512-byte
 * sectors whatever the device's logical block size.
 */
import { readFile } from 'node:fs/promises';

/** Linux dev_t split (glibc gnu_dev_major / gnu_dev_minor). */
export function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

export async function blockDeviceSize(rdev: bigint, path: string): Promise<number> {
  const { major, minor } = deviceNumbers(rdev);
  const sysfs = `/sys/dev/block/${major}:${minor}/size`;
  let text: string;
  try {
    text = await readFile(sysfs, 'utf8');
  } catch (err) {
    throw new Error(`cannot learn the size of block device ${path}: reading ${sysfs} failed (${(err as Error).message}); is /sys mounted?`, { cause: err });
  }
  const sectors = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(sectors) || sectors < 0) throw new Error(`cannot learn the size of block device ${path}: ${sysfs} holds "${text.trim()}"`);
  return sectors * 512;
}
