/**
 * The column index of each cell of a captured row (`rows.ts`): by position (the baseline's columns, then
 * `_c<i>` for positions beyond it) or by name (JSON keys, preprocessed rows), creating at most
 * `maxNewColumns` columns beyond the baseline.
 */

/** Column name → index, creating the column when it is new (the dataset profile implements it). */
export interface ColumnResolver {
  columnIndex(name: string): number;
}

export class RowColumns {
  readonly #resolver: ColumnResolver;
  readonly maxNewColumns: number;
  /** Column index of each position (baseline positions first, then `_c<i>` extras, resolved lazily). */
  readonly #positionIndex: number[] = [];
  /** Positions `0..identityWidth-1` have column index = position, so positional rows need no copy. */
  #identityWidth = 0;
  /** Column index by name (baseline names and names seen in JSON/preprocessed rows). */
  readonly #nameIndex = new Map<string, number>();
  #newColumns = 0;

  constructor(resolver: ColumnResolver, baselineColumns: readonly string[], maxNewColumns: number) {
    this.#resolver = resolver;
    this.maxNewColumns = maxNewColumns;
    let identity = true;
    for (let i = 0; i < baselineColumns.length; i++) {
      const name = baselineColumns[i]!;
      const index = resolver.columnIndex(name);
      this.#positionIndex.push(index);
      if (!this.#nameIndex.has(name)) this.#nameIndex.set(name, index);
      if (identity && index === i) this.#identityWidth = i + 1;
      else identity = false;
    }
  }

  /**
   * Positions below it have column index = position. It grows only contiguously past the baseline: once
   * below the baseline's width, it stays there.
   */
  get identityWidth(): number {
    return this.#identityWidth;
  }

  /** Column index of a position, creating `_c<i>` for positions beyond the baseline; -1 = over the limit. */
  ofPosition(position: number): number {
    const known = this.#positionIndex[position];
    if (known !== undefined) return known;
    while (this.#positionIndex.length <= position) {
      const p = this.#positionIndex.length;
      const index = this.ofName(`_c${p}`);
      if (index === -1) return -1;
      this.#positionIndex.push(index);
      if (this.#identityWidth === p && index === p) this.#identityWidth = p + 1;
    }
    return this.#positionIndex[position]!;
  }

  /** Column index of a name; -1 when it would be a new column over the limit. */
  ofName(name: string): number {
    const known = this.#nameIndex.get(name);
    if (known !== undefined) return known;
    if (this.#newColumns >= this.maxNewColumns) return -1;
    this.#newColumns++;
    const index = this.#resolver.columnIndex(name);
    this.#nameIndex.set(name, index);
    return index;
  }
}
