/** A column of a text table or CSV file: a header and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  value(row: T): string;
  /** Right-align (numbers). */
  alignRight?: boolean;
  /** May be cut (with an ellipsis) to fit the width; fixed columns never are. */
  shrinks?: boolean;
  /** The narrowest a shrinking column gets. Default 8. */
  minWidth?: number;
}

const GAP = '  ';
const DEFAULT_MIN_WIDTH = 8;

/**
 * Lays rows out as an aligned text table at most `width` characters wide: columns that may
 * shrink give up width, widest first, until the table fits (or they are at their minimum).
 * Cells are put on one line (runs of whitespace become one space).
 */
export function renderTable<T>(rows: T[], columns: Column<T>[], width: number): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]!.length)),
  );
  fitWidths(widths, columns, width);

  const lines = [columns.map((column) => column.header), ...cells].map((line) =>
    line
      .map((cell, index) => pad(cell, widths[index]!, columns[index]!.alignRight ?? false))
      .join(GAP)
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/** RFC 4180 CSV with a header line; fields are quoted when they hold a comma, quote or newline. */
export function renderCsv<T>(rows: T[], columns: Column<T>[]): string {
  const lines = [
    columns.map((column) => csvField(column.header)).join(','),
    ...rows.map((row) => columns.map((column) => csvField(column.value(row))).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** Narrows shrinking columns in place, the widest first, until the total fits. */
function fitWidths<T>(widths: number[], columns: Column<T>[], width: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  const minOf = (index: number) => columns[index]!.minWidth ?? DEFAULT_MIN_WIDTH;

  while (total() > width) {
    const candidates = widths
      .map((w, index) => ({ index, w }))
      .filter(({ index, w }) => columns[index]!.shrinks && w > minOf(index))
      .sort((a, b) => b.w - a.w);
    const widest = candidates[0];
    if (!widest) return;

    const next = candidates[1]?.w ?? 0;
    const target = Math.max(next, minOf(widest.index), widest.w - (total() - width));
    widths[widest.index] = target === widest.w ? widest.w - 1 : target;
  }
}

function pad(cell: string, width: number, alignRight: boolean): string {
  const text = cell.length > width ? `${cell.slice(0, Math.max(0, width - 1))}…` : cell;
  return alignRight ? text.padStart(width) : text.padEnd(width);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
