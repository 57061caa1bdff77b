/** The login phase without sockets: stages, T/C bits, the checks behind each login status. */
import t from 'tap';
import { LoginStateMachine, type LoginEnvironment } from '../../../plugins/transport-iscsi-tcp/login/LoginStateMachine.js';
import { LoginFailure } from '../../../plugins/transport-iscsi-tcp/login/LoginStatus.js';
import { TargetAuthenticator } from '../../../plugins/transport-iscsi-tcp/auth/TargetAuthenticator.js';
import { Opcode } from '../../../plugins/transport-iscsi-tcp/pdu/Opcode.js';
import type { LoginRequestPdu } from '../../../plugins/transport-iscsi-tcp/pdu/PduTypes.js';
import { encodeTextKeys, type KeyValue } from '../../../plugins/transport-iscsi-tcp/text/TextKeys.js';
import { DEFAULT_TARGET_VALUES } from '../../../plugins/transport-iscsi-tcp/IscsiTcpOptions.js';
import type { ServedTarget } from '../../../core/transport/Transport.js';
import type { ScsiTargetDevice } from '../../../core/scsi/ScsiCommand.js';

const IQN = 'iqn.2026-11.io.lunhost.test:login';
const target: ServedTarget = {
  name: IQN, alias: null, portals: ['p'], admits: () => true, auth: null, options: {},
  scsi: {} as ScsiTargetDevice,
};
// Our values equal to the RFC defaults where we would otherwise propose keys, so transitions are immediate.
const values = { ...DEFAULT_TARGET_VALUES, InitialR2T: 'Yes', MaxBurstLength: '262144', FirstBurstLength: '65536', MaxOutstandingR2T: '1', DefaultTime2Retain: '20' };

function env(): LoginEnvironment {
  return {
    remoteAddress: '127.0.0.1',
    portalGroupTag: 7,
    findTarget: (n) => (n === IQN ? target : null),
    discoveryAuth: null,
    ourValues: () => values,
    ourMaxRecvDataSegmentLength: () => 65536,
    createAuthenticator: (auth) => new TargetAuthenticator({ auth, remoteAddress: '127.0.0.1', sleep: async () => undefined }),
  };
}

function req(o: Partial<LoginRequestPdu>): LoginRequestPdu {
  return {
    opcode: Opcode.LoginRequest, totalAhsLength: 0, dataSegmentLength: 0, transit: true, continue: false, csg: 0, nsg: 1,
    versionMax: 0, versionMin: 0, isid: '400001370001', tsih: 0, itt: 9, cid: 0, cmdSN: 5, expStatSN: 0, ...o,
  };
}

const leading: KeyValue[] = [['InitiatorName', 'iqn.2026-11.io.example:i'], ['TargetName', IQN], ['SessionType', 'Normal']];

async function status(m: LoginStateMachine, r: LoginRequestPdu, keys: KeyValue[]): Promise<number> {
  try {
    await m.handle(r, encodeTextKeys(keys));
    return 0;
  } catch (err) {
    if (err instanceof LoginFailure) return err.status;
    throw err;
  }
}

t.test('security → operational → full feature phase', async (t) => {
  const m = new LoginStateMachine(env());
  const r1 = await m.handle(req({ csg: 0, nsg: 1 }), encodeTextKeys([...leading, ['AuthMethod', 'CHAP,None']]));
  t.same(r1.keys.find(([k]) => k === 'AuthMethod'), ['AuthMethod', 'None']);
  t.same(r1.keys.find(([k]) => k === 'TargetPortalGroupTag'), ['TargetPortalGroupTag', '7']);
  t.ok(r1.transit);
  t.equal(r1.nsg, 1);
  t.same(r1.keys.find(([k]) => k === 'MaxRecvDataSegmentLength'), ['MaxRecvDataSegmentLength', '65536'], 'our MRDSL declared when entering the operational stage');
  const r2 = await m.handle(req({ csg: 1, nsg: 3 }), encodeTextKeys([['MaxBurstLength', '65536']]));
  t.ok(r2.transit);
  t.equal(r2.csg, 1);
  t.equal(r2.nsg, 3);
  t.equal(r2.completed?.target, target);
  t.equal(r2.completed?.cmdSN, 5);
  t.equal(r2.completed?.negotiator.value('MaxBurstLength'), '65536');
});

t.test('security straight to full feature phase', async (t) => {
  const m = new LoginStateMachine(env());
  const r = await m.handle(req({ csg: 0, nsg: 3 }), encodeTextKeys([...leading, ['AuthMethod', 'None']]));
  t.ok(r.completed, 'complete');
  t.ok(r.keys.some(([k]) => k === 'MaxRecvDataSegmentLength'), 'still declares our MRDSL');
});

t.test('no transit without the T bit; C bit gathers text over several requests', async (t) => {
  const m = new LoginStateMachine(env());
  const text = encodeTextKeys([...leading, ['AuthMethod', 'None']]);
  const a = await m.handle(req({ csg: 0, transit: false, continue: true, nsg: 0 }), text.subarray(0, 20));
  t.same(a.keys, [], 'empty answer while the initiator continues');
  t.notOk(a.transit);
  const b = await m.handle(req({ csg: 0, transit: false, nsg: 0 }), text.subarray(20));
  t.notOk(b.transit);
  t.ok(b.keys.some(([k, v]) => k === 'AuthMethod' && v === 'None'), 'keys split across PDUs understood');
  const c = await m.handle(req({ csg: 0, nsg: 1 }), Buffer.alloc(0));
  t.ok(c.transit);
});

t.test('statuses', async (t) => {
  t.equal(await status(new LoginStateMachine(env()), req({}), [['TargetName', IQN]]), 0x0207, 'no InitiatorName');
  t.equal(await status(new LoginStateMachine(env()), req({}), [['InitiatorName', 'iqn.x:y']]), 0x0207, 'no TargetName');
  t.equal(await status(new LoginStateMachine(env()), req({}), [['InitiatorName', 'iqn.x:y'], ['TargetName', 'iqn.x:other']]), 0x0203, 'unknown target');
  t.equal(await status(new LoginStateMachine(env()), req({ versionMin: 1, versionMax: 2 }), leading), 0x0205, 'version');
  t.equal(await status(new LoginStateMachine(env()), req({ csg: 2 }), leading), 0x0200, 'CSG 2 is reserved');
  t.equal(await status(new LoginStateMachine(env()), req({ csg: 1, nsg: 1 }), leading), 0x0200, 'NSG must move forward');
  t.equal(await status(new LoginStateMachine(env()), req({ continue: true }), leading), 0x0200, 'T and C together');
  t.equal(await status(new LoginStateMachine(env()), req({}), [...leading, ['AuthMethod', 'SRP']]), 0x0201, 'no common AuthMethod');
  t.equal(await status(new LoginStateMachine(env()), req({}), [...leading, ['MaxRecvDataSegmentLength', '12']]), 0x0200, 'bad declaration');
  t.equal(await status(new LoginStateMachine(env()), req({}), [...leading, ['Bad Key', 'x']]), 0x0200, 'malformed text');
  const m = new LoginStateMachine(env());
  await m.handle(req({ transit: false, nsg: 0 }), encodeTextKeys(leading));
  t.equal(await status(m, req({ isid: '400001370002' }), []), 0x0200, 'ISID changed during login');
  const n = new LoginStateMachine(env());
  await n.handle(req({ csg: 1, nsg: 3, transit: false }), encodeTextKeys(leading));
  t.equal(await status(n, req({ csg: 1, nsg: 3 }), [['AuthMethod', 'None']]), 0x0200, 'security key in the operational stage');
  const chap: ServedTarget = { ...target, auth: { chap: { username: 'u', secret: 's'.repeat(16) }, mutualChap: null } };
  const e = { ...env(), findTarget: () => chap };
  t.equal(await status(new LoginStateMachine(e), req({ csg: 1, nsg: 3 }), leading), 0x0201, 'skipping security when CHAP is required');
});
