/**
 * Where a Sheepdog LUN lives: the sheep endpoint and the VDI (name, and a tag or
 * snapshot id for a snapshot). Parses tgt's --backing-store forms
 *   unix:PATH:VDI[:TAG|:SNAPID]   tcp:HOST:PORT:VDI[:TAG|:SNAPID]
 * and the structured form { socket | host+port, vdi, tag?, snapshotId? }.
 */
import path from 'node:path';
import { SD_LISTEN_PORT } from './SheepProtocol.js';

export type SheepEndpoint =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface SheepVdiSelector {
  readonly name: string;
  /** Snapshot tag (dog vdi snapshot -s TAG). */
  readonly tag?: string;
  /** Snapshot id (dog vdi list's "Id" of a snapshot), >= 1. */
  readonly snapshotId?: number;
}

export interface SheepBacking {
  readonly endpoint: SheepEndpoint;
  readonly vdi: SheepVdiSelector;
}

export class SheepBackingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SheepBackingError';
  }
}

const FORMS = 'unix:PATH:VDI[:TAG|:SNAPID] or tcp:HOST:PORT:VDI[:TAG|:SNAPID]';

/** Parse a tgt backing-store string. Relative unix socket paths resolve against baseDir. */
export function parseBackingString(value: string, baseDir?: string): SheepBacking {
  const parts = value.split(':');
  const scheme = parts[0];
  let rest: string[];
  let endpoint: SheepEndpoint;
  if (scheme === 'unix') {
    if (parts.length < 3) throw new SheepBackingError(`backing "${value}": expected ${FORMS}`);
    const socketPath = parts[1] ?? '';
    if (socketPath === '') throw new SheepBackingError(`backing "${value}": the unix socket path is empty`);
    endpoint = { kind: 'unix', path: baseDir ? path.resolve(baseDir, socketPath) : socketPath };
    rest = parts.slice(2);
  } else if (scheme === 'tcp') {
    if (parts.length < 4) throw new SheepBackingError(`backing "${value}": expected ${FORMS}`);
    const host = parts[1] ?? '';
    if (host === '') throw new SheepBackingError(`backing "${value}": the host is empty`);
    endpoint = { kind: 'tcp', host, port: parsePort(parts[2] ?? '', value) };
    rest = parts.slice(3);
  } else {
    throw new SheepBackingError(`backing "${value}": unknown scheme "${scheme}"; expected ${FORMS}`);
  }
  if (rest.length > 2) {
    throw new SheepBackingError(`backing "${value}": unexpected "${rest.slice(2).join(':')}" after the VDI and tag/snapshot id`);
  }
  const name = rest[0] ?? '';
  if (name === '') throw new SheepBackingError(`backing "${value}": the VDI name is empty`);
  const last = rest[1];
  if (last === undefined) return { endpoint, vdi: { name } };
  if (last === '') throw new SheepBackingError(`backing "${value}": the tag/snapshot id after the VDI name is empty`);
  if (/^[0-9]+$/.test(last)) return { endpoint, vdi: { name, snapshotId: parseSnapshotId(Number(last), `backing "${value}"`) } };
  return { endpoint, vdi: { name, tag: last } };
}

/** The structured form, as validated by the provider's schema. */
export interface SheepBackingObject {
  readonly socket?: string;
  readonly host?: string;
  readonly port?: number;
  readonly vdi: string;
  readonly tag?: string;
  readonly snapshotId?: number;
}

export function backingFromObject(o: SheepBackingObject, baseDir?: string): SheepBacking {
  const where = `backing ${JSON.stringify(o)}`;
  if (typeof o.vdi !== 'string' || o.vdi === '') throw new SheepBackingError(`${where}: "vdi" (the VDI name) is required`);
  if (o.socket !== undefined && o.host !== undefined) {
    throw new SheepBackingError(`${where}: give either "socket" (unix) or "host"/"port" (tcp), not both`);
  }
  if (o.tag !== undefined && o.snapshotId !== undefined) {
    throw new SheepBackingError(`${where}: give either "tag" or "snapshotId", not both`);
  }
  let endpoint: SheepEndpoint;
  if (o.socket !== undefined) {
    if (o.socket === '') throw new SheepBackingError(`${where}: "socket" is empty`);
    endpoint = { kind: 'unix', path: baseDir ? path.resolve(baseDir, o.socket) : o.socket };
  } else if (o.host !== undefined) {
    if (o.host === '') throw new SheepBackingError(`${where}: "host" is empty`);
    const port = o.port ?? SD_LISTEN_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SheepBackingError(`${where}: "port" must be 1-65535`);
    endpoint = { kind: 'tcp', host: o.host, port };
  } else {
    throw new SheepBackingError(`${where}: give "socket" (path of sheep's unix socket) or "host" (and "port", default ${SD_LISTEN_PORT})`);
  }
  if (o.tag !== undefined) {
    if (o.tag === '') throw new SheepBackingError(`${where}: "tag" is empty`);
    return { endpoint, vdi: { name: o.vdi, tag: o.tag } };
  }
  if (o.snapshotId !== undefined) return { endpoint, vdi: { name: o.vdi, snapshotId: parseSnapshotId(o.snapshotId, where) } };
  return { endpoint, vdi: { name: o.vdi } };
}

/** Either form. */
export function parseBacking(value: unknown, baseDir?: string): SheepBacking {
  if (typeof value === 'string') return parseBackingString(value, baseDir);
  if (value !== null && typeof value === 'object') return backingFromObject(value as SheepBackingObject, baseDir);
  throw new SheepBackingError(`backing must be a string (${FORMS}) or an object { socket | host+port, vdi, tag?, snapshotId? }`);
}

/** Back to the tgt string form, for describe() and log lines. */
export function formatBacking(b: SheepBacking): string {
  const ep = b.endpoint.kind === 'unix' ? `unix:${b.endpoint.path}` : `tcp:${b.endpoint.host}:${b.endpoint.port}`;
  const suffix = b.vdi.tag !== undefined ? `:${b.vdi.tag}` : b.vdi.snapshotId !== undefined ? `:${b.vdi.snapshotId}` : '';
  return `${ep}:${b.vdi.name}${suffix}`;
}

export function isSnapshotSelector(v: SheepVdiSelector): boolean {
  return v.tag !== undefined || v.snapshotId !== undefined;
}

function parsePort(text: string, value: string): number {
  if (!/^[0-9]+$/.test(text)) throw new SheepBackingError(`backing "${value}": port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new SheepBackingError(`backing "${value}": port ${port} is out of range 1-65535`);
  return port;
}

function parseSnapshotId(id: number, where: string): number {
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) {
    throw new SheepBackingError(`${where}: snapshot id ${id} must be an integer >= 1 (omit it to use the current, writable VDI)`);
  }
  return id;
}
