/**
 * The Sheepdog side of `npm run bench -- --sheep ADDR`: two fresh VDIs of the
 * LUN's size on one sheep, one for lunhost's sheepdog store and one for
 * tgtd's `--bstype sheepdog` (each daemon locks its VDI, so they cannot share
 * one), created and deleted with `dog`.
 *
 * ADDR is how the daemons reach sheep, in tgt's backing-store form without
 * the VDI: `unix:/path/to/sock` or `tcp:HOST:PORT` (or just HOST:PORT).
 * `dog` speaks TCP only: its address is the tcp one, or --dog-address.
 */
import { execFileSync } from 'node:child_process';

export interface SheepVdis {
  /** tgt-form backing strings (`unix:PATH:VDI` / `tcp:HOST:PORT:VDI`) for each daemon. */
  readonly lunhostBacking: string;
  readonly tgtdBacking: string;
  /** Where the VDIs are, for the report. */
  readonly description: string;
  remove(): void;
}

export interface SheepOptions {
  readonly address: string;
  /** The dog binary. */
  readonly dog: string;
  /** HOST:PORT dog talks to; defaults to the tcp address. */
  readonly dogAddress?: string;
  readonly bytes: number;
}

function parseHostPort(s: string, what: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`${what} '${s}' is not HOST:PORT (e.g. 127.0.0.1:7000)`);
  }
  return { host: s.slice(0, i), port };
}

export function createSheepVdis(o: SheepOptions): SheepVdis {
  let prefix: string;
  let dogAt: { host: string; port: number };
  if (o.address.startsWith('unix:')) {
    prefix = o.address;
    if (!o.dogAddress) throw new Error(`--sheep ${o.address} is a Unix socket, which dog cannot use: add --dog-address HOST:PORT (sheep's -b/-p)`);
    dogAt = parseHostPort(o.dogAddress, '--dog-address');
  } else {
    const hp = parseHostPort(o.address.replace(/^tcp:/, ''), '--sheep');
    prefix = `tcp:${hp.host}:${hp.port}`;
    dogAt = o.dogAddress ? parseHostPort(o.dogAddress, '--dog-address') : hp;
  }
  const dog = (...args: string[]): void => {
    try {
      execFileSync(o.dog, [...args, '-a', dogAt.host, '-p', String(dogAt.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`${o.dog} ${args.join(' ')} failed: ${e.stderr?.toString().trim() || e.message}; is sheep running at ${dogAt.host}:${dogAt.port} with a formatted cluster (dog cluster format)?`);
    }
  };
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const names = { lunhost: `bench-lunhost-${stamp}`, tgtd: `bench-tgtd-${stamp}` };
  dog('vdi', 'create', names.lunhost, String(o.bytes));
  try {
    dog('vdi', 'create', names.tgtd, String(o.bytes));
  } catch (err) {
    dog('vdi', 'delete', names.lunhost);
    throw err;
  }
  return {
    lunhostBacking: `${prefix}:${names.lunhost}`,
    tgtdBacking: `${prefix}:${names.tgtd}`,
    description: `${prefix} (VDIs ${names.lunhost}, ${names.tgtd})`,
    remove: () => {
      for (const n of Object.values(names)) {
        try { dog('vdi', 'delete', n); } catch (err) { process.stderr.write(`bench: ${(err as Error).message}\n`); }
      }
    },
  };
}
