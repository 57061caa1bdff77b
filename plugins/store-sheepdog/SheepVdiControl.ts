/**
 * Control-path requests on a VDI: look it up (and lock it), release the lock,
 * read its inode header and data_vdi_id[] table, refuse inodes lunhost cannot
 * serve. Used at open, on reload and on refreshSize — never per I/O.
 */
import { StoreError } from '../../core/store/StoreError.js';
import { formatBacking, type SheepBacking } from './SheepBacking.js';
import type { SheepClient } from './SheepClient.js';
import {
  dataVdiIdOffset,
  decodeDataVdiIds,
  decodeInodeHeader,
  objectCountOf,
  SD_INODE_DATA_INDEX,
  SD_INODE_HEADER_SIZE,
  STORE_POLICY_BTREE,
  type SheepInodeHeader,
} from './SheepInode.js';
import { vidToVdiOid } from './SheepObjectId.js';
import { encodeVdiNameTag, LockType, SheepFlag, SheepOpcode, SheepResult } from './SheepProtocol.js';
import { sheepResultError } from './sheepResultError.js';

export type SheepLockMode = 'normal' | 'shared' | 'none';

/** Largest data_vdi_id slice read in one request when loading the table. */
const TABLE_READ_CHUNK = 1 << 20;

/** GET_VDI_INFO (or LOCK_VDI, which looks up and locks) by name, tag or snapshot id; returns the vid. */
export async function lookupVdi(client: SheepClient, backing: SheepBacking, lockMode: SheepLockMode): Promise<number> {
  const { name, tag, snapshotId } = backing.vdi;
  const data = encodeVdiNameTag(name, tag ?? '');
  const opcode = lockMode === 'none' ? SheepOpcode.GET_VDI_INFO : SheepOpcode.LOCK_VDI;
  const { rsp } = await client.execute(
    {
      kind: 'vdi',
      opcode,
      flags: SheepFlag.WRITE,
      dataLength: data.length,
      vdiSize: 0n,
      baseVdiId: 0,
      copies: 0,
      copyPolicy: 0,
      storePolicy: 0,
      blockSizeShift: 0,
      snapId: snapshotId ?? 0,
      type: lockMode === 'shared' ? LockType.SHARED : LockType.NORMAL,
    },
    data,
  );
  if (rsp.result === SheepResult.SUCCESS) return rsp.vdiId;
  const what = formatBacking(backing);
  const kind = tag !== undefined ? `snapshot tag "${tag}" of VDI "${name}"` : snapshotId !== undefined ? `snapshot ${snapshotId} of VDI "${name}"` : `VDI "${name}"`;
  const hint: Record<number, string> = {
    [SheepResult.NO_VDI]: `; create it (dog vdi create ${name} SIZE) or fix the name`,
    [SheepResult.NO_TAG]: '; list snapshots with `dog vdi list`',
    [SheepResult.VDI_LOCKED]:
      `; another client (tgtd, QEMU, lunhost) holds it: stop that client, or declare lock: shared (multipath, one gateway per sheep node) or lock: none; a lock left by a crashed gateway is listed by \`dog vdi lock list\` and cleared by \`dog vdi lock unlock ${name}\``,
  };
  const err = sheepResultError(rsp.result, `${what}: looking up ${kind} failed`);
  return Promise.reject(new StoreError(err.kind, err.message + (hint[rsp.result] ?? ''), { cause: err }));
}

export async function releaseVdi(client: SheepClient, vid: number, type: number): Promise<void> {
  const { rsp } = await client.execute({
    kind: 'vdi',
    opcode: SheepOpcode.RELEASE_VDI,
    flags: 0,
    dataLength: 0,
    vdiSize: 0n,
    baseVdiId: vid,
    copies: 0,
    copyPolicy: 0,
    storePolicy: 0,
    blockSizeShift: 0,
    snapId: 0,
    type,
  });
  if (rsp.result !== SheepResult.SUCCESS && rsp.result !== SheepResult.VDI_NOT_LOCKED) {
    throw sheepResultError(rsp.result, `releasing the lock of VDI ${vid.toString(16)}`);
  }
}

export async function readHeader(client: SheepClient, vid: number, what: string): Promise<SheepInodeHeader> {
  const buf = Buffer.alloc(SD_INODE_HEADER_SIZE);
  const { rsp } = await client.execute(
    { kind: 'obj', opcode: SheepOpcode.READ_OBJ, flags: 0, dataLength: SD_INODE_HEADER_SIZE, oid: vidToVdiOid(vid), cowOid: 0n, copies: 0, offset: 0 },
    undefined,
    buf,
  );
  if (rsp.result !== SheepResult.SUCCESS) throw sheepResultError(rsp.result, `${what}: reading the inode of VDI ${vid.toString(16)}`);
  return decodeInodeHeader(buf);
}

/** Read data_vdi_id[from, to) into table (in slices, so a 4 TiB VDI does not need one 4 MiB response). */
export async function readTable(client: SheepClient, vid: number, header: SheepInodeHeader, from: number, to: number, table: Uint32Array, what: string): Promise<Uint32Array> {
  const per = TABLE_READ_CHUNK / 4;
  for (let start = from; start < to; start += per) {
    const count = Math.min(per, to - start);
    const buf = Buffer.alloc(count * 4);
    const { rsp } = await client.execute(
      {
        kind: 'obj',
        opcode: SheepOpcode.READ_OBJ,
        flags: 0,
        dataLength: buf.length,
        oid: vidToVdiOid(vid),
        cowOid: 0n,
        copies: header.nrCopies,
        copyPolicy: header.copyPolicy,
        offset: dataVdiIdOffset(start),
      },
      undefined,
      buf,
    );
    if (rsp.result !== SheepResult.SUCCESS) throw sheepResultError(rsp.result, `${what}: reading the data object table of VDI ${vid.toString(16)}`);
    decodeDataVdiIds(buf, count, table, start);
  }
  return table;
}

export function checkInode(header: SheepInodeHeader, what: string): void {
  if (header.storePolicy === STORE_POLICY_BTREE) {
    throw new StoreError(
      'unsupported',
      `${what}: VDI "${header.name}" is a hyper volume (B-tree inode, store_policy 1, created with \`dog vdi create -y\`); lunhost serves only plain VDIs (up to ${SD_INODE_DATA_INDEX} objects, 4 TiB with 4 MiB objects). Copy it to a plain VDI to serve it.`,
    );
  }
  if (objectCountOf(header) > SD_INODE_DATA_INDEX) {
    throw new StoreError('unsupported', `${what}: VDI "${header.name}" has ${objectCountOf(header)} objects, more than a plain inode indexes (${SD_INODE_DATA_INDEX})`);
  }
}
