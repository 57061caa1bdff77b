/** A daemon the harness measures: lunhost or tgtd, serving one file LUN on 127.0.0.1. */
export interface TargetUnderTest {
  /** 'lunhost' or 'tgtd'. */
  readonly name: string;
  /** The LUN's URL for libiscsi and QEMU. */
  readonly lunUrl: string;
  /** The process whose CPU and memory are measured. */
  readonly pid: number;
  stop(): Promise<void>;
}
