/** The generated columns of the bench data (training CSV and captured traffic): kinds, categories, cells. */
import type { Rng } from '../src/core/random.js';

export const CATEGORIES: readonly (readonly string[])[] = [
  ['red', 'green', 'blue'],
  ['north', 'south', 'east', 'west'],
  ['bronze', 'silver', 'gold', 'platinum', 'diamond'],
  ['mobile', 'desktop', 'tablet'],
  ['new_customer', 'returning_customer', 'lapsed_customer', 'vip'],
  ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'],
];

export type ColumnKind = 'int' | 'float' | 'sparse-float' | 'category';

/**
 * One cell of a column of `kind` (`categories` for a category column). `drift` (0 = none) moves numbers
 * up by that share of their range and makes a category column pick its last value that often.
 */
export function generateCell(
  kind: ColumnKind,
  random: Rng,
  categories: readonly string[],
  drift = 0,
): string {
  switch (kind) {
    case 'int':
      return String(Math.floor(random() * 1000 * (1 + drift)) - 100);
    case 'float':
      return (random() * 200 - 50 + drift * 200).toFixed(4);
    case 'sparse-float':
      return random() < 0.05 ? '' : (random() * 3 + drift * 3).toFixed(6);
    case 'category': {
      const u = drift > 0 && random() < drift ? 0.999 : random() * random();
      return categories[Math.floor(u * categories.length)] as string;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown column kind ${String(never)}`);
    }
  }
}
