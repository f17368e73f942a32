/**
 * The model-quality problem types, apart from the statistics that use them (statistics.ts): the config
 * schema names them, and loading it must not load the metrics code.
 */

/** A model-quality problem type, in SageMaker's words. */
export type ProblemType = 'Regression' | 'BinaryClassification' | 'MulticlassClassification';
export const PROBLEM_TYPES: readonly ProblemType[] = [
  'Regression',
  'BinaryClassification',
  'MulticlassClassification',
];
