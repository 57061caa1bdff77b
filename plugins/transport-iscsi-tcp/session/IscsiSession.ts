/**
 * One logged-in iSCSI session and its connections (several when
 * MaxConnections > 1 was negotiated, each known by its CID). Holds what
 * outlives a single PDU: the I_T nexus, the one CmdSN window shared by all
 * its connections, the negotiated parameters and the target it is logged in
 * to (swapped in place when the plan replaces the ServedTarget).
 */
import type { ItNexus } from '../../../core/scsi/ScsiCommand.js';
import type { ServedTarget, SessionInfo } from '../../../core/transport/Transport.js';
import type { Negotiator } from '../negotiation/Negotiator.js';
import { CommandWindow } from './CommandWindow.js';
import type { IscsiConnection } from './IscsiConnection.js';

export interface SessionIdentity {
  readonly tsih: number;
  readonly isid: string;
  readonly cid: number;
  readonly initiatorName: string;
  readonly initiatorAlias: string | null;
  readonly remoteAddress: string;
  readonly portalName: string;
  readonly portalGroupTag: number;
  readonly discovery: boolean;
}

/** SPC-4 7.6.4.6 iSCSI TransportID, format 01h: name + ",i,0x" + ISID, NUL, padded to 4. */
export function iscsiTransportId(initiatorPortName: string): Buffer {
  const name = Buffer.from(initiatorPortName, 'utf8');
  const body = Math.max(20, (name.length + 1 + 3) & ~3);
  const out = Buffer.alloc(4 + body);
  out[0] = 0x40 | 0x05; // FORMAT CODE 01b, PROTOCOL IDENTIFIER 5 (iSCSI)
  out.writeUInt16BE(body, 2);
  name.copy(out, 4);
  return out;
}

export function buildNexus(initiatorName: string, isid: string, targetName: string, tpgt: number): ItNexus {
  const initiatorPortName = `${initiatorName},i,0x${isid.toLowerCase()}`;
  const targetPortName = `${targetName},t,0x${tpgt.toString(16).padStart(4, '0')}`;
  return {
    id: `${initiatorPortName}|${targetPortName}`,
    initiatorName,
    initiatorPortName,
    targetPortName,
    relativeTargetPortId: tpgt,
    transportId: iscsiTransportId(initiatorPortName),
  };
}

export class IscsiSession {
  readonly id: string;
  readonly window: CommandWindow;
  readonly nexus: ItNexus | null;
  /** Connections in full feature phase, by CID (the leading one first). */
  readonly connections = new Map<number, IscsiConnection>();

  constructor(
    readonly identity: SessionIdentity,
    public target: ServedTarget | null,
    readonly negotiator: Negotiator,
    firstCmdSN: number,
    queueDepth: number,
    private readonly ourMaxRecvDataSegmentLength: number,
  ) {
    this.window = new CommandWindow(firstCmdSN, queueDepth);
    const t = target?.name ?? 'discovery';
    this.id = `${identity.initiatorName},i,0x${identity.isid}|${t},t,0x${identity.portalGroupTag.toString(16).padStart(4, '0')}|${identity.tsih}`;
    this.nexus = target ? buildNexus(identity.initiatorName, identity.isid, target.name, identity.portalGroupTag) : null;
  }

  /** Connections this session may have at once (negotiated MaxConnections). */
  get maxConnections(): number {
    return this.negotiator.numeric('MaxConnections');
  }

  info(): SessionInfo {
    return {
      id: this.id,
      transport: 'iscsi-tcp',
      targetName: this.target?.name ?? null,
      initiatorName: this.identity.initiatorName,
      initiatorAlias: this.identity.initiatorAlias,
      remoteAddress: this.identity.remoteAddress,
      discovery: this.identity.discovery,
      connections: this.connections.size,
      parameters: this.negotiator.parameters(this.ourMaxRecvDataSegmentLength),
    };
  }
}
