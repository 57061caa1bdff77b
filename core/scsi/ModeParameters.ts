/**
 * The mode parameters of one logical unit that MODE SELECT can change
 * (SPC-4 7.5). Shared by every I_T nexus (no per-initiator copies); not
 * saved across restarts (pages are reported with PS=0).
 */
export class ModeParameters {
  /** Control mode page SWP: the medium is write protected by software (writes get DATA PROTECT). */
  softwareWriteProtect = false;

  /** Back to the default values. */
  reset(): void {
    this.softwareWriteProtect = false;
  }
}
