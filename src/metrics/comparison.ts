/**
 * The comparison operators of SageMaker's model-quality `constraints.json` (spec §6.3), which are also
 * CloudWatch's `ComparisonOperator` values: the one list, and the one function that applies them.
 * A threshold is breached when `value <op> threshold` holds.
 */
export const COMPARISON_OPERATORS = [
  'GreaterThanThreshold',
  'LessThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** `>`, `<`, `>=`, `<=`: how an operator reads in a description. */
export const OPERATOR_SYMBOLS: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanOrEqualToThreshold: '<=',
};

export function breaches(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default: {
      const never: never = operator;
      throw new Error(`unknown comparison operator ${String(never)}`);
    }
  }
}
