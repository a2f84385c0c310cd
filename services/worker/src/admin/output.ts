import type { LineWriter } from './command';

export interface Column<Row> {
  header: string;
  value(row: Row): string | number | boolean;
  /** Right-aligns the column, as for numbers. */
  alignRight?: boolean;
}

function cellText(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Width in code points, so that characters outside the BMP count once. */
function width(text: string): number {
  return [...text].length;
}

/**
 * Formats rows as a table with one header line and columns separated by two spaces.
 * NOTE: widths count code points, so East Asian wide characters and emoji misalign.
 */
export function formatTable<Row>(columns: Column<Row>[], rows: Row[]): string[] {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(width(column.header), ...cells.map((line) => width(line[index]!))),
  );

  const formatLine = (texts: string[]) =>
    texts
      .map((text, index) => {
        const padding = ' '.repeat(widths[index]! - width(text));
        return columns[index]!.alignRight ? padding + text : text + padding;
      })
      .join('  ')
      .trimEnd();

  return [formatLine(columns.map((column) => column.header)), ...cells.map(formatLine)];
}

/** Writes rows as a table, or as a JSON array when `json` is set; `plural` names the rows in the empty message. */
export function printRows<Row>(
  out: LineWriter,
  rows: Row[],
  options: { json: boolean; plural: string; columns: Column<Row>[]; toJson(row: Row): unknown },
): void {
  if (options.json) {
    out(JSON.stringify(rows.map(options.toJson), null, 2));
    return;
  }
  if (rows.length === 0) {
    out(`no ${options.plural}`);
    return;
  }
  for (const line of formatTable(options.columns, rows)) out(line);
}
