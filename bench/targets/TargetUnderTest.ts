/** A daemon the harness measures: lunhost or tgtd, serving one file LUN (and optionally a Sheepdog LUN) on 127.0.0.1. */
export interface TargetUnderTest {
  /** 'lunhost' or 'tgtd'. */
  readonly name: string;
  /** The file LUN's URL for libiscsi and QEMU. */
  readonly lunUrl: string;
  /** The Sheepdog LUN's URL, when the run has one. */
  readonly sheepLunUrl: string | null;
  /** The process whose CPU and memory are measured. */
  readonly pid: number;
  stop(): Promise<void>;
}
