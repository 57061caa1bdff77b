/**
 * The reservation state of one logical unit: persistent reservations
 * (SPC-4 5.12: registrations, generation, the reservation and its type) and
 * the SPC-2 RESERVE/RELEASE reservation, with the rules of every PERSISTENT
 * RESERVE OUT service action. Mutations are synchronous (one JavaScript turn
 * per command, so no locking); persisting an APTPL state is the only await.
 *
 * Service actions return 'good' or 'conflict' (RESERVATION CONFLICT status)
 * and throw CheckCondition for sense-data errors. They raise the unit
 * attentions SPC-4 names on the other I_T nexuses through the sink.
 */
import { CheckCondition } from '../CheckCondition.js';
import type { ItNexus } from '../ScsiCommand.js';
import { SenseCodes, type SenseCode } from '../SenseCodes.js';
import type { AptplFile, AptplSnapshot } from './AptplFile.js';
import { isAllRegistrants, admitsRegistrants, isValidPrType, type PrType } from './PersistentReservationType.js';
import { nexusDesignation, nexusTargetPort, registrationCovers, type Registration } from './Registration.js';
import { ReservationSenseCodes } from './ReservationSenseCodes.js';
import type { InitiatorDesignation } from './TransportId.js';

export type ReservationOutcome = 'good' | 'conflict';

export interface PersistentReservation {
  /** The holder; for ALL REGISTRANTS types any registration stands for all of them. */
  holder: Registration;
  readonly type: PrType;
}

/** Where unit attentions go (NexusUnitAttentions of the LU). */
export interface UnitAttentionSink {
  raiseFor(nexusId: string, code: SenseCode): void;
}

/** The fields of a REGISTER / REGISTER AND IGNORE EXISTING KEY parameter list that matter here. */
export interface RegisterRequest {
  readonly reservationKey: bigint;
  readonly serviceActionKey: bigint;
  readonly allTargetPorts: boolean;
  readonly aptpl: boolean;
  /** SPEC_I_PT TransportIDs (empty when SPEC_I_PT is 0). */
  readonly initiators: readonly InitiatorDesignation[];
}

export interface RegisterAndMoveRequest {
  readonly reservationKey: bigint;
  readonly serviceActionKey: bigint;
  readonly unregister: boolean;
  readonly aptpl: boolean;
  readonly destination: InitiatorDesignation;
  readonly relativeTargetPortId: number;
}

export interface PreemptResult {
  readonly outcome: ReservationOutcome;
  /** Live I_T nexuses whose registration was removed (PREEMPT AND ABORT aborts their tasks). */
  readonly preemptedNexusIds: readonly string[];
}

const KEY_MASK = (1n << 64n) - 1n;

export class ReservationState {
  /** PRgeneration (SPC-4 6.15.2): 32 bits, wraps. */
  generation = 0;
  registrations: Registration[] = [];
  reservation: PersistentReservation | null = null;
  /** The last valid APTPL bit: the state survives a restart. */
  aptpl = false;
  /** I_T nexus id holding the SPC-2 RESERVE reservation, or null. */
  spc2Holder: string | null = null;
  /** Set when the saved APTPL state was damaged and set aside (for the host's log). */
  readonly loadProblem: string | null;

  private readonly nexuses = new Map<string, ItNexus>();
  /** nexus id → its registration (or null), rebuilt lazily after registrations change. */
  private readonly byNexus = new Map<string, Registration | null>();

  constructor(
    private readonly unitAttentions: UnitAttentionSink,
    /** Target name, for naming target ports REGISTER AND MOVE gives by number. */
    private readonly targetName: string,
    private readonly aptplFile: AptplFile | null = null,
  ) {
    const saved = aptplFile?.load() ?? null;
    this.loadProblem = aptplFile?.problem ?? null;
    if (saved !== null) this.restore(saved);
  }

  /** Can APTPL be honoured (a state directory was given)? REPORT CAPABILITIES PTPL_C. */
  get persistCapable(): boolean {
    return this.aptplFile !== null;
  }

  // ---- nexuses ------------------------------------------------------------

  nexusOpened(nexus: ItNexus): void {
    this.nexuses.set(nexus.id, nexus);
  }

  /** I_T nexus loss: an SPC-2 reservation it holds ends; registrations persist (SPC-4 5.12.7). */
  nexusClosed(nexus: ItNexus): void {
    this.nexuses.delete(nexus.id);
    this.byNexus.delete(nexus.id);
    if (this.spc2Holder === nexus.id) this.spc2Holder = null;
  }

  /** LOGICAL UNIT RESET / hard reset: SPC-2 reservations end, persistent ones do not (SPC-4 5.13.4). */
  reset(): void {
    this.spc2Holder = null;
  }

  /** The registration of the nexus, or undefined. Cached: the conflict check runs per command. */
  registrationOf(nexus: ItNexus): Registration | undefined {
    let reg = this.byNexus.get(nexus.id);
    if (reg === undefined) {
      if (!this.nexuses.has(nexus.id)) this.nexuses.set(nexus.id, nexus);
      const who = nexusDesignation(nexus);
      const port = nexusTargetPort(nexus);
      reg = this.registrations.find((r) => registrationCovers(r, who, port)) ?? null;
      this.byNexus.set(nexus.id, reg);
    }
    return reg ?? undefined;
  }

  isHolder(reg: Registration): boolean {
    const r = this.reservation;
    return r !== null && (r.holder === reg || isAllRegistrants(r.type));
  }

  /** Target port name of a relative target port identifier (the iSCSI portal group tag). */
  targetPortNameFor(relativeTargetPortId: number): string {
    for (const n of this.nexuses.values()) if (n.relativeTargetPortId === relativeTargetPortId) return n.targetPortName;
    return `${this.targetName},t,0x${relativeTargetPortId.toString(16).padStart(4, '0')}`;
  }

  // ---- PERSISTENT RESERVE OUT ---------------------------------------------

  /** REGISTER (ignoreExisting false) and REGISTER AND IGNORE EXISTING KEY (true). */
  register(nexus: ItNexus, req: RegisterRequest, ignoreExisting: boolean): ReservationOutcome {
    const reg = this.registrationOf(nexus);
    if (reg === undefined) {
      if (!ignoreExisting && req.reservationKey !== 0n) return 'conflict';
      // Unregistered and asking to unregister: nothing to do, nothing changes.
      if (req.serviceActionKey === 0n) return 'good';
      const targetPort = req.allTargetPorts ? null : nexusTargetPort(nexus);
      const port = nexusTargetPort(nexus);
      const added: Registration[] = [this.newRegistration(req.serviceActionKey, nexusDesignation(nexus), targetPort, nexus.relativeTargetPortId)];
      for (const who of req.initiators) {
        if (added.some((r) => registrationCovers(r, who, port))) continue; // named twice, or the sender itself
        if (this.registrations.some((r) => registrationCovers(r, who, port))) {
          // All or nothing: one already-registered port refuses the whole list (SPC-4 5.12.7).
          throw new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte: 24 } });
        }
        added.push(this.newRegistration(req.serviceActionKey, who, targetPort, nexus.relativeTargetPortId));
      }
      this.registrations.push(...added);
    } else {
      if (!ignoreExisting && req.reservationKey !== reg.key) return 'conflict';
      if (req.initiators.length > 0) {
        throw new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte: 20, bit: 3 } });
      }
      if (req.serviceActionKey !== 0n) reg.key = req.serviceActionKey & KEY_MASK;
      else this.unregister(reg, nexus);
    }
    this.aptpl = req.aptpl;
    this.registrationsChanged();
    return 'good';
  }

  reserve(nexus: ItNexus, reservationKey: bigint, type: PrType): ReservationOutcome {
    const reg = this.registrationOf(nexus);
    if (reg === undefined || reg.key !== reservationKey) return 'conflict';
    const r = this.reservation;
    if (r !== null) {
      // Only the holder may "reserve" again, and only with the same type (SPC-4 5.12.9).
      return this.isHolder(reg) && r.type === type ? 'good' : 'conflict';
    }
    this.reservation = { holder: reg, type };
    return 'good';
  }

  release(nexus: ItNexus, reservationKey: bigint, type: number): ReservationOutcome {
    const reg = this.registrationOf(nexus);
    if (reg === undefined || reg.key !== reservationKey) return 'conflict';
    const r = this.reservation;
    // Not reserved, or held by someone else: GOOD, nothing changes (SPC-4 5.12.11.2).
    if (r === null || !this.isHolder(reg)) return 'good';
    if (r.type !== type) throw new CheckCondition(ReservationSenseCodes.invalidReleaseOfPersistentReservation);
    this.reservation = null;
    if (admitsRegistrants(r.type)) this.raiseForRegistered(ReservationSenseCodes.reservationsReleased, nexus.id);
    return 'good';
  }

  clear(nexus: ItNexus, reservationKey: bigint): ReservationOutcome {
    const reg = this.registrationOf(nexus);
    if (reg === undefined || reg.key !== reservationKey) return 'conflict';
    this.raiseForRegistered(ReservationSenseCodes.reservationsPreempted, nexus.id);
    this.reservation = null;
    this.registrations = [];
    this.registrationsChanged();
    return 'good';
  }

  /** PREEMPT and PREEMPT AND ABORT (SPC-4 5.12.11.4); the caller aborts tasks for the latter. */
  preempt(nexus: ItNexus, reservationKey: bigint, serviceActionKey: bigint, type: number): PreemptResult {
    const none: PreemptResult = { outcome: 'conflict', preemptedNexusIds: [] };
    const reg = this.registrationOf(nexus);
    if (reg === undefined || reg.key !== reservationKey) return none;
    const r = this.reservation;
    const preemptsReservation = r !== null && (isAllRegistrants(r.type) ? serviceActionKey === 0n : r.holder.key === serviceActionKey);
    let victims: Registration[];
    if (!preemptsReservation) {
      // Removing registrations only: the key must name at least one registration.
      if (serviceActionKey === 0n) throw new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte: 8 } });
      if (!this.registrations.some((x) => x.key === serviceActionKey)) return none;
      victims = this.registrations.filter((x) => x.key === serviceActionKey && x !== reg);
    } else {
      if (!isValidPrType(type)) throw CheckCondition.invalidFieldInCdb(2, 3);
      victims = isAllRegistrants(r.type)
        ? this.registrations.filter((x) => x !== reg)
        : this.registrations.filter((x) => x.key === serviceActionKey && x !== reg);
    }
    const preemptedNexusIds = this.liveNexusesOf(victims, nexus.id);
    for (const id of preemptedNexusIds) this.unitAttentions.raiseFor(id, ReservationSenseCodes.registrationsPreempted);
    this.registrations = this.registrations.filter((x) => !victims.includes(x));
    if (preemptsReservation) {
      const oldType = r.type;
      this.reservation = { holder: reg, type: type as PrType };
      if (oldType !== type) this.raiseForRegistered(ReservationSenseCodes.reservationsReleased, nexus.id);
    } else if (r !== null && victims.includes(r.holder)) {
      // An ALL REGISTRANTS reservation outlives the registrations removed from under it.
      r.holder = reg;
    }
    this.registrationsChanged();
    return { outcome: 'good', preemptedNexusIds };
  }

  registerAndMove(nexus: ItNexus, req: RegisterAndMoveRequest): ReservationOutcome {
    const reg = this.registrationOf(nexus);
    if (reg === undefined || reg.key !== req.reservationKey) return 'conflict';
    const r = this.reservation;
    if (r === null || !this.isHolder(reg) || isAllRegistrants(r.type)) return 'conflict';
    if (req.serviceActionKey === 0n) throw new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte: 8 } });
    const targetPort = this.targetPortNameFor(req.relativeTargetPortId).toLowerCase();
    const self = nexusDesignation(nexus);
    if (targetPort === nexusTargetPort(nexus) && registrationCovers({ ...self, key: 0n, targetPort: null, relativeTargetPortId: 0 }, req.destination, targetPort)) {
      // Moving to the sending I_T nexus itself (SPC-4 5.12.8).
      throw new CheckCondition(SenseCodes.invalidFieldInParameterList, { field: { inCdb: false, byte: 24 } });
    }
    let dest = this.registrations.find((x) => registrationCovers(x, req.destination, targetPort));
    if (dest === undefined) {
      dest = this.newRegistration(req.serviceActionKey, req.destination, targetPort, req.relativeTargetPortId);
      this.registrations.push(dest);
    }
    this.reservation = { holder: dest, type: r.type };
    if (req.unregister) this.registrations = this.registrations.filter((x) => x !== reg);
    this.aptpl = req.aptpl;
    this.registrationsChanged();
    return 'good';
  }

  // ---- SPC-2 RESERVE / RELEASE --------------------------------------------

  /** RESERVE(6)/(10). Any registration makes it conflict (SPC-4 5.13.3, CRH=1). */
  spc2Reserve(nexus: ItNexus): ReservationOutcome {
    if (this.registrations.length > 0) return 'conflict';
    if (this.spc2Holder !== null && this.spc2Holder !== nexus.id) return 'conflict';
    this.spc2Holder = nexus.id;
    return 'good';
  }

  /** RELEASE(6)/(10): from anyone but the holder it is GOOD and changes nothing. */
  spc2Release(nexus: ItNexus): ReservationOutcome {
    if (this.registrations.length > 0) return 'conflict';
    if (this.spc2Holder === nexus.id) this.spc2Holder = null;
    return 'good';
  }

  // ---- persistence (APTPL) ------------------------------------------------

  /**
   * Writes the state when APTPL is in force, removes the file when it is not.
   * Called after every PERSISTENT RESERVE OUT that succeeded.
   */
  persist(): Promise<void> {
    if (this.aptplFile === null) return Promise.resolve();
    return this.aptplFile.save(this.aptpl ? this.snapshot() : null);
  }

  snapshot(): AptplSnapshot {
    const r = this.reservation;
    return {
      version: 1,
      registrations: this.registrations.map((x) => ({
        key: x.key.toString(16),
        initiatorName: x.initiatorName,
        initiatorPort: x.initiatorPort,
        targetPort: x.targetPort,
        relativeTargetPortId: x.relativeTargetPortId,
      })),
      reservation: r === null ? null : { holder: this.registrations.indexOf(r.holder), type: r.type },
    };
  }

  private restore(s: AptplSnapshot): void {
    this.registrations = s.registrations.map((x) => this.newRegistration(BigInt(`0x${x.key}`), x, x.targetPort, x.relativeTargetPortId));
    const holder = s.reservation === null ? undefined : this.registrations[s.reservation.holder];
    this.reservation = holder === undefined || s.reservation === null ? null : { holder, type: s.reservation.type };
    this.aptpl = true;
  }

  // ---- helpers ------------------------------------------------------------

  private newRegistration(key: bigint, who: InitiatorDesignation, targetPort: string | null, relativeTargetPortId: number): Registration {
    return { key: key & KEY_MASK, initiatorName: who.initiatorName, initiatorPort: who.initiatorPort, targetPort, relativeTargetPortId };
  }

  /** Removes a registration and what hangs on it (SPC-4 5.12.11.2.3). */
  private unregister(reg: Registration, nexus: ItNexus): void {
    this.registrations = this.registrations.filter((x) => x !== reg);
    const r = this.reservation;
    if (r === null) return;
    if (isAllRegistrants(r.type)) {
      // The reservation lasts while anyone is registered.
      if (this.registrations.length === 0) this.reservation = null;
      else if (r.holder === reg) r.holder = this.registrations[0];
    } else if (r.holder === reg) {
      this.reservation = null;
      if (admitsRegistrants(r.type)) this.raiseForRegistered(ReservationSenseCodes.reservationsReleased, nexus.id);
    }
  }

  private registrationsChanged(): void {
    this.generation = (this.generation + 1) >>> 0;
    this.byNexus.clear();
  }

  /** Unit attention for every live nexus that is registered, except `exceptNexusId`. */
  private raiseForRegistered(code: SenseCode, exceptNexusId: string): void {
    for (const id of this.liveNexusesOf(this.registrations, exceptNexusId)) this.unitAttentions.raiseFor(id, code);
  }

  private liveNexusesOf(regs: readonly Registration[], exceptNexusId: string): string[] {
    const ids: string[] = [];
    if (regs.length === 0) return ids;
    for (const n of this.nexuses.values()) {
      if (n.id === exceptNexusId) continue;
      const who = nexusDesignation(n);
      const port = nexusTargetPort(n);
      if (regs.some((r) => registrationCovers(r, who, port))) ids.push(n.id);
    }
    return ids;
  }
}
