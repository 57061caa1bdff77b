/** The declaration most end-to-end tests serve: one target, file LUNs in the test's directory. */
export const E2E_IQN = 'iqn.2026-11.io.lunhost.test:disk';

export interface FileLun {
  readonly lun: number;
  readonly file: string;
  readonly size: string;
  readonly readOnly?: boolean;
}

/** Target-level variations: another name, or lines set under the target (e.g. `auth:`), indented by 4. */
export interface TargetOptions {
  readonly iqn?: string;
  readonly targetLines?: string;
}

export function fileTargetYaml(port: number, dir: string, luns: readonly FileLun[], extra = '', target: TargetOptions = {}): string {
  const lunLines = luns.map((l) => [
    `      - lun: ${l.lun}`,
    '        store: file',
    `        path: ${dir}/${l.file}`,
    `        size: ${l.size}`,
    ...(l.readOnly ? ['        readOnly: true'] : []),
  ].join('\n')).join('\n');
  return `portals:
  - name: test
    listen: 127.0.0.1:${port}
targets:
  - iqn: ${target.iqn ?? E2E_IQN}
    bindings: [ALL]
${target.targetLines ?? ''}    luns:
${lunLines}
${extra}`;
}
