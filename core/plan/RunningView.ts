/**
 * What plan() needs to know about what runs: the portals that listen, the
 * targets with the LUNs that are attached (a LUN that failed to open is not
 * there, so the next plan retries it), and their actual sizes.
 */
import type { AuthDecl, PortalDecl, TargetDecl } from '../config/Declaration.js';

export interface RunningView {
  readonly portals: readonly PortalDecl[];
  readonly targets: readonly TargetDecl[];
  /** Discovery CHAP that applies now (absent: none). */
  readonly discoveryAuth?: AuthDecl | null;
  /** Actual size in bytes of an attached LUN, or null when unknown. */
  lunSize(targetName: string, lun: number): number | null;
}

/** Nothing runs yet: start-up is plan(declaration, EMPTY_RUNNING_VIEW). */
export const EMPTY_RUNNING_VIEW: RunningView = { portals: [], targets: [], discoveryAuth: null, lunSize: () => null };
