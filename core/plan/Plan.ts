/**
 * A plan: the ordered actions that turn what runs into what is declared.
 * Start-up is the plan against an empty state; reload is the plan against
 * the running state. (Refined by the plan/apply work; keep the shape.)
 */
import type { AuthDecl, LunDecl, PortalDecl, TargetDecl } from '../config/Declaration.js';

export type PlanAction =
  | { readonly kind: 'add-portal'; readonly portal: PortalDecl }
  | { readonly kind: 'change-portal'; readonly before: PortalDecl; readonly after: PortalDecl }
  | { readonly kind: 'remove-portal'; readonly portal: PortalDecl }
  | { readonly kind: 'add-target'; readonly target: TargetDecl }
  | { readonly kind: 'change-target'; readonly before: TargetDecl; readonly after: TargetDecl; readonly changed: readonly string[] }
  | { readonly kind: 'remove-target'; readonly target: TargetDecl }
  | { readonly kind: 'add-lun'; readonly targetName: string; readonly lun: LunDecl }
  | { readonly kind: 'replace-lun'; readonly targetName: string; readonly before: LunDecl; readonly after: LunDecl }
  | { readonly kind: 'resize-lun'; readonly targetName: string; readonly lun: LunDecl; readonly fromBytes: number; readonly toBytes: number }
  | { readonly kind: 'remove-lun'; readonly targetName: string; readonly lun: LunDecl }
  | { readonly kind: 'refuse'; readonly targetName: string; readonly lun: number; readonly reason: string }
  /** Discovery-session CHAP (the `discovery:` section) added, changed or removed. */
  | { readonly kind: 'change-discovery-auth'; readonly before: AuthDecl | null; readonly after: AuthDecl | null };

export interface Plan {
  readonly actions: readonly PlanAction[];
}
