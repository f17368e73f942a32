/**
 * From raw column cells to the booleans of the bias metrics (spec §9.3, smclarify
 * `common.series_datatype`, `report._interval_index`, `report._categorical_data_idx`).
 *
 * Cells arrive as CSV text, so pandas' CSV dtype inference is emulated: all cells integers → int64,
 * any decimal → float64, an empty cell in an integer column → float64, "True"/"False" only → bool,
 * anything else → object.
 */

export type ColumnKind = 'categorical' | 'continuous';
export type PandasDtype = 'int64' | 'float64' | 'bool' | 'object';

/** smclarify `UNIQUENESS_THRESHOLD`. */
export const UNIQUENESS_THRESHOLD = 0.05;

const INTEGER = /^[+-]?\d+$/;

function isFloatText(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}

/** pandas' read_csv dtype for a column of text cells. */
export function pandasDtype(cells: readonly string[]): PandasDtype {
  let allInt = true;
  let allNum = true;
  let allBool = true;
  let anyEmpty = false;
  let nonEmpty = 0;
  for (const c of cells) {
    if (c === '') {
      anyEmpty = true;
      continue;
    }
    nonEmpty++;
    if (!INTEGER.test(c)) allInt = false;
    if (!isFloatText(c) && c.toLowerCase() !== 'nan') allNum = false;
    if (c !== 'True' && c !== 'False' && c !== 'true' && c !== 'false') allBool = false;
  }
  if (nonEmpty === 0) return 'float64';
  if (allInt) return anyEmpty ? 'float64' : 'int64';
  if (allNum) return 'float64';
  if (allBool && !anyEmpty) return 'bool';
  return 'object';
}

function uniqueness(cells: readonly string[]): number {
  const distinct = new Set<string>();
  let n = 0;
  for (const c of cells) {
    if (c === '') continue;
    distinct.add(c);
    n++;
  }
  return n === 0 ? 0 : distinct.size / n;
}

/** smclarify `series_datatype` on CSV cells, given the configured values/threshold. */
export function columnKind(
  cells: readonly string[],
  given: readonly (string | number | boolean)[],
): ColumnKind {
  if (given.length > 1) return 'categorical';
  switch (pandasDtype(cells)) {
    case 'float64':
      return 'continuous';
    case 'int64':
      return uniqueness(cells) >= UNIQUENESS_THRESHOLD ? 'continuous' : 'categorical';
    case 'bool':
      return 'categorical';
    case 'object':
      return 'categorical';
  }
}

/** Python `str()` of a float (repr): integral floats keep ".0", exponents as Python writes them. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return '-0.0';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  // Python switches to exponent notation below 1e-4 and from 1e16; JavaScript at 1e-6 and 1e21.
  const s = Math.abs(x) < 1e-4 || Math.abs(x) >= 1e16 ? x.toExponential() : String(x);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m === null) return s;
  return `${m[1]}e${m[2]}${(m[3] ?? '').padStart(2, '0')}`;
}

export interface BiasSelector {
  kind: ColumnKind;
  /** The `value_or_threshold` string Clarify writes for this selection (§9.3). */
  valueOrThreshold: string;
  /** Whether a cell is in the positive label / sensitive facet group. Empty cells are never in. */
  matches(cell: string): boolean;
}

function pythonStr(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/**
 * Positive-label or sensitive-facet selection. Continuous: a cell is in iff its value is `> t`,
 * and the string is `"(t, max]"`, `"(max, t]"` (nothing in) or `""` when `abs(max) == t`.
 * `max` is the current data's maximum (for a predicted label: over label ∪ prediction), so the
 * string differs between windows and must never be used to match baseline and live entries.
 * Categorical: equality with a given value, compared as text and, failing that, as numbers
 * (smclarify converts the given values to the column's type).
 */
export function biasSelector(
  kind: ColumnKind,
  given: readonly (string | number | boolean)[],
  columnMax: number,
  dtype: PandasDtype,
): BiasSelector | { error: string } {
  if (kind === 'continuous') {
    const only = given[0];
    if (given.length !== 1 || only === undefined || !isFloatText(String(only))) {
      return { error: 'Facet/label value provided must be a single numeric threshold for continuous data' };
    }
    const t = Number(only);
    const asText =
      dtype === 'int64' && Number.isInteger(t) && Number.isInteger(columnMax)
        ? (x: number) => String(x)
        : pythonFloatRepr;
    let valueOrThreshold = '';
    if (Math.abs(columnMax) !== t) {
      const lo = Math.min(t, columnMax);
      const hi = Math.max(t, columnMax);
      valueOrThreshold = `(${asText(lo)}, ${asText(hi)}]`;
    }
    const positiveAny = valueOrThreshold !== '' && t < columnMax;
    return {
      kind,
      valueOrThreshold,
      matches: (cell) => positiveAny && cell !== '' && Number(cell) > t,
    };
  }
  const texts = new Set(given.map(pythonStr));
  const numbers = new Set(given.filter((v) => isFloatText(String(v))).map((v) => Number(v)));
  return {
    kind,
    valueOrThreshold: given.map(pythonStr).join(','),
    matches: (cell) => cell !== '' && (texts.has(cell) || (isFloatText(cell) && numbers.has(Number(cell)))),
  };
}
