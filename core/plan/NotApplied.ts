/** An action of the serving declaration that is not applied (yet), as `lunhost status` lists it. */
export interface NotApplied {
  /** Object key, as in PlannedAction.id: 'lun:iqn.../4', 'portal:p2'. */
  readonly id: string;
  /** The plan line with its sign, e.g. '+ lun 4 (file /x/disk.img, 16 MiB)'. */
  readonly action: string;
  /** Why it failed the last time it was tried (or the refusal), or null when unknown. */
  readonly error: string | null;
  /** When it was last tried (ISO 8601), or null. */
  readonly at: string | null;
}
