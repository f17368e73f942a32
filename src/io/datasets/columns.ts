/**
 * Column naming rules shared by every format:
 * - an empty name becomes Spark's positional name `_c<i>` (what SageMaker's analyzer reports);
 * - a repeated name is kept and the later one renamed `name__2`, `name__3`, ... (first free suffix), with a
 *   `duplicate_column` issue naming it. Names are only ever Map keys, so `__proto__` is an ordinary name.
 */
import type { IssueLog } from '../../core/issues.js';

/** Spark's default name for the column at `index` (0-based) of a headerless CSV. */
export function positionalName(index: number): string {
  return `_c${index}`;
}

/** Makes `names` unique (see module doc); records an issue for each renamed or empty name. */
export function uniqueColumnNames(names: readonly string[], source: string, issues: IssueLog): string[] {
  const taken = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) {
    let name = names[i] ?? '';
    if (name === '') {
      name = positionalName(i);
      issues.add({
        kind: 'empty_column_name',
        source,
        column: name,
        message: `column ${i + 1} has no name; named ${name}`,
      });
    }
    if (taken.has(name)) {
      let suffix = 2;
      while (taken.has(`${name}__${suffix}`)) suffix++;
      const renamed = `${name}__${suffix}`;
      issues.add({
        kind: 'duplicate_column',
        source,
        column: renamed,
        message: `duplicate column name ${JSON.stringify(name)} (column ${i + 1}) renamed ${JSON.stringify(renamed)}`,
      });
      name = renamed;
    }
    taken.add(name);
    out.push(name);
  }
  return out;
}
