/**
 * The ways of aggregating local attributions into global ones (aggregate.ts says each), apart from the
 * aggregator: the config schema and the command-line flags name them, and loading those must not load the
 * aggregator and its sketch.
 */
export type AttributionAggMethod = 'mean_abs' | 'median' | 'mean_sq';

export const ATTRIBUTION_AGG_METHODS: readonly AttributionAggMethod[] = ['mean_abs', 'median', 'mean_sq'];
