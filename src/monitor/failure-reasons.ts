/**
 * Failure reasons that code elsewhere recognises, apart from the execution code that writes them, so that
 * recognising one (the worker's label retry, at every tick) does not load that code.
 */

/** How the failure reason of a window without labels begins (the worker retries those: jobs/label-retry.ts). */
export const NO_GROUND_TRUTH = 'No ground truth to merge';
