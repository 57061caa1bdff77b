/**
 * A plain text table: a header row and left-aligned columns (numbers
 * right-aligned), two spaces apart. No colours, so it reads the same in a
 * terminal, a pipe and a log.
 */
export interface Column<Row> {
  readonly title: string;
  readonly value: (row: Row) => string | number;
}

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => String(row[i]).length)));
  const line = (values: readonly (string | number)[]): string =>
    values.map((v, i) => (typeof v === 'number' ? String(v).padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join('\n') + '\n';
}
