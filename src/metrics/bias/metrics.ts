/**
 * Clarify bias metrics computed from {@link BiasCounts} (spec §9.4.1–9.4.2, formulas and error
 * strings as smclarify's `pretraining.py`, `posttraining.py` and `common.py` compute them).
 *
 * Group a = rows not in the sensitive facet, group d = rows in it. Results never throw: a metric
 * that smclarify would raise on comes back with `value: null` and smclarify's message in `error`,
 * exactly as Clarify's `analysis.json` records a failed metric (§9.4.4 item 2).
 * FT (flip test) needs feature rows and lives in `flip-test.ts`.
 */
import { type BiasCounts, countWhere, type GroupConfusion, groupConfusion } from './counts.js';
import { clarifyDifference, clarifyDivide } from './divide.js';

/**
 * `integer: true` marks smclarify's integer `0` (both rates `+∞` in DCA, DCR, DAR, DRR, RD, SD),
 * which analysis.json writes as `0`, not `0.0` (§9.4.2).
 */
export type BiasMetricOutcome = { value: number; integer?: true } | { error: string };

export interface BiasMetricDefinition {
  readonly name: string;
  /** Exact description string Clarify writes into analysis.json. */
  readonly description: string;
  readonly stage: 'pre_training' | 'post_training';
  /** Needs the group variable (CDDL, CDDPL). */
  readonly needsGroup: boolean;
  compute(counts: BiasCounts): BiasMetricOutcome;
}

const FACET_EMPTY = 'Facet set is empty';
const NEGATED_FACET_EMPTY = 'Negated Facet set is empty';

interface Groups {
  a: GroupConfusion;
  d: GroupConfusion;
}

/** Both groups, or smclarify's empty-group error (checked d first, as smclarify does). */
function groups(
  counts: BiasCounts,
  messages: { d: string; a: string } = { d: FACET_EMPTY, a: NEGATED_FACET_EMPTY },
): Groups | { error: string } {
  const d = groupConfusion(counts.cells, true);
  const a = groupConfusion(counts.cells, false);
  if (d.n === 0) return { error: messages.d };
  if (a.n === 0) return { error: messages.a };
  return { a, d };
}

function withGroups(
  counts: BiasCounts,
  f: (g: Groups) => number,
  messages?: { d: string; a: string },
): BiasMetricOutcome {
  const g = groups(counts, messages);
  if ('error' in g) return g;
  return { value: f(g) };
}

/**
 * "Aligned non-zero" label distributions of a and d over the binarised label (keys False, True):
 * a key is kept only if both groups give it a non-zero share; shares are not renormalised
 * (smclarify `util.pdfs_aligned_nonzero`).
 */
function alignedLabelShares(counts: BiasCounts): { pa: number[]; pd: number[] } | { error: string } {
  const g = groups(counts);
  if ('error' in g) return g;
  const pa: number[] = [];
  const pd: number[] = [];
  for (const positive of [false, true]) {
    const sa = (positive ? g.a.pos : g.a.neg) / g.a.n;
    const sd = (positive ? g.d.pos : g.d.neg) / g.d.n;
    if (sa > 0 && sd > 0) {
      pa.push(sa);
      pd.push(sd);
    }
  }
  if (pa.length === 0) return { error: 'No instance of common facet found, dataset may be too small' };
  return { pa, pd };
}

/** `x − y` of two rates where both `+∞` is smclarify's integer 0 (§9.4.2). */
function rateDifference(counts: BiasCounts, f: (g: Groups) => [number, number]): BiasMetricOutcome {
  const g = groups(counts);
  if ('error' in g) return g;
  const [x, y] = f(g);
  if (x === Number.POSITIVE_INFINITY && y === Number.POSITIVE_INFINITY) return { value: 0, integer: true };
  return { value: clarifyDifference(x, y) };
}

function withShares(counts: BiasCounts, f: (pa: number[], pd: number[]) => number): BiasMetricOutcome {
  const s = alignedLabelShares(counts);
  if ('error' in s) return s;
  return { value: f(s.pa, s.pd) };
}

function at(xs: number[], i: number): number {
  return xs[i] ?? 0;
}

/**
 * Conditional demographic disparity (smclarify `common.CDD`) of the boolean `L` (observed label
 * for CDDL, predicted label for CDDPL): per group value i, `A_i = #(L∧d∧g=i)/#(L∧g=i)`,
 * `D_i = #(¬L∧d∧g=i)/#(¬L∧g=i)` (0 when the denominator is 0), `CDD = Σ n_i(D_i − A_i)/Σ n_i`.
 */
function conditionalDemographicDisparity(counts: BiasCounts, onPrediction: boolean): BiasMetricOutcome {
  if (!counts.hasGroup) return { error: 'Group variable is empty or not provided' };
  const pick = (cells: Float64Array, d: boolean | undefined, l: boolean): number =>
    onPrediction ? countWhere(cells, d, undefined, l) : countWhere(cells, d, l, undefined);
  if (pick(counts.cells, undefined, true) === 0) return { error: 'No positive labels in set' };
  if (pick(counts.cells, undefined, false) === 0) return { error: 'No negative labels in set' };
  let weighted = 0;
  let total = 0;
  for (const cells of counts.groups.values()) {
    const ni = countWhere(cells, undefined, undefined, undefined);
    const posAll = pick(cells, undefined, true);
    const negAll = pick(cells, undefined, false);
    const ai = posAll === 0 ? 0 : pick(cells, true, true) / posAll;
    const di = negAll === 0 ? 0 : pick(cells, true, false) / negAll;
    weighted += ni * (di - ai);
    total += ni;
  }
  return { value: weighted / total };
}

/**
 * Generalized entropy with α = 2 over all rows (facet ignored): `b = ŷ − y + 1`,
 * `GE = Σ((b/μ)² − 1)/(2N)`, μ = mean(b) (smclarify `posttraining.GE`).
 */
function generalizedEntropy(counts: BiasCounts): BiasMetricOutcome {
  const fn = countWhere(counts.cells, undefined, true, false); // b = 0
  const fp = countWhere(counts.cells, undefined, false, true); // b = 2
  const n = countWhere(counts.cells, undefined, undefined, undefined);
  const ones = n - fn - fp; // b = 1
  if (n === 0) return { error: 'Generalized Entropy: empty dataset' };
  const mu = (ones + 2 * fp) / n;
  if (mu === 0) return { error: 'Generalized Entropy: mean of benefits is zero (all false negatives)' };
  const sum = fn * -1 + ones * ((1 / mu) ** 2 - 1) + fp * ((2 / mu) ** 2 - 1);
  return { value: sum / (2 * n) };
}

const pre = 'pre_training' as const;
const post = 'post_training' as const;

/** All counts-based Clarify bias metrics, keyed by their short name. */
export const biasMetrics = {
  CI: {
    name: 'CI',
    description: 'Class Imbalance (CI)',
    stage: pre,
    needsGroup: false,
    compute: (c) =>
      withGroups(c, ({ a, d }) => (a.n - d.n) / (a.n + d.n), {
        d: 'CI: facet set is empty. Check that x_0 has non-zero instances.',
        a: 'CI: negated facet set is empty. Check that x_0 has non-zero instances.',
      }),
  },
  DPL: {
    name: 'DPL',
    description: 'Difference in Positive Proportions in Labels (DPL)',
    stage: pre,
    needsGroup: false,
    compute: (c) =>
      withGroups(c, ({ a, d }) => a.pos / a.n - d.pos / d.n, {
        d: 'Facet set is empty.',
        a: 'Negative facet set is empty.',
      }),
  },
  KL: {
    name: 'KL',
    description: 'Kullback-Liebler Divergence (KL)',
    stage: pre,
    needsGroup: false,
    compute: (c) => withShares(c, (pa, pd) => pa.reduce((s, p, i) => s + p * Math.log(p / at(pd, i)), 0)),
  },
  JS: {
    name: 'JS',
    description: 'Jensen-Shannon Divergence (JS)',
    stage: pre,
    needsGroup: false,
    compute: (c) =>
      withShares(c, (pa, pd) => {
        let sa = 0;
        let sd = 0;
        for (let i = 0; i < pa.length; i++) {
          const m = 0.5 * (at(pa, i) + at(pd, i));
          sa += at(pa, i) * Math.log(at(pa, i) / m);
          sd += at(pd, i) * Math.log(at(pd, i) / m);
        }
        return 0.5 * (sa + sd);
      }),
  },
  LP: {
    name: 'LP',
    description: 'L-p Norm (LP)',
    stage: pre,
    needsGroup: false,
    compute: (c) => withShares(c, (pa, pd) => Math.sqrt(pa.reduce((s, p, i) => s + (p - at(pd, i)) ** 2, 0))),
  },
  TVD: {
    name: 'TVD',
    description: 'Total Variation Distance (TVD)',
    stage: pre,
    needsGroup: false,
    compute: (c) => withShares(c, (pa, pd) => 0.5 * pa.reduce((s, p, i) => s + Math.abs(p - at(pd, i)), 0)),
  },
  KS: {
    name: 'KS',
    description: 'Kolmogorov-Smirnov Distance (KS)',
    stage: pre,
    needsGroup: false,
    compute: (c) =>
      withShares(c, (pa, pd) => pa.reduce((m, p, i) => Math.max(m, Math.abs(p - at(pd, i))), 0)),
  },
  CDDL: {
    name: 'CDDL',
    description: 'Conditional Demographic Disparity in Labels (CDDL)',
    stage: pre,
    needsGroup: true,
    compute: (c) => conditionalDemographicDisparity(c, false),
  },
  DPPL: {
    name: 'DPPL',
    description: 'Difference in Positive Proportions in Predicted Labels (DPPL)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      withGroups(c, ({ a, d }) => a.predPos / a.n - d.predPos / d.n, {
        d: 'Facet set is empty.',
        a: 'Negative facet set is empty.',
      }),
  },
  DI: {
    name: 'DI',
    description: 'Disparate Impact (DI)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      withGroups(c, ({ a, d }) => clarifyDivide(d.predPos / d.n, a.predPos / a.n), {
        d: 'Facet set is empty',
        a: 'Negated facet set is empty',
      }),
  },
  DCA: {
    name: 'DCA',
    description: 'Difference in Conditional Acceptance (DCA)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      rateDifference(c, ({ a, d }) => [clarifyDivide(a.pos, a.predPos), clarifyDivide(d.pos, d.predPos)]),
  },
  DCR: {
    name: 'DCR',
    description: 'Difference in Conditional Rejection (DCR)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      rateDifference(c, ({ a, d }) => [clarifyDivide(d.neg, d.predNeg), clarifyDivide(a.neg, a.predNeg)]),
  },
  DAR: {
    name: 'DAR',
    description: 'Difference in Acceptance Rates (DAR)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      rateDifference(c, ({ a, d }) => [clarifyDivide(a.tp, a.predPos), clarifyDivide(d.tp, d.predPos)]),
  },
  DRR: {
    name: 'DRR',
    description: 'Difference in Rejection Rates (DRR)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      rateDifference(c, ({ a, d }) => [clarifyDivide(d.tn, d.predNeg), clarifyDivide(a.tn, a.predNeg)]),
  },
  RD: {
    name: 'RD',
    description: 'Recall Difference (RD)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      rateDifference(c, ({ a, d }) => [clarifyDivide(a.tp, a.tp + a.fn), clarifyDivide(d.tp, d.tp + d.fn)]),
  },
  SD: {
    name: 'SD',
    description: 'Specificity Difference (SD)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      rateDifference(c, ({ a, d }) => [clarifyDivide(d.tn, d.tn + d.fp), clarifyDivide(a.tn, a.tn + a.fp)]),
  },
  AD: {
    name: 'AD',
    description: 'Accuracy Difference (AD)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      withGroups(c, ({ a, d }) =>
        clarifyDifference(clarifyDivide(a.tp + a.tn, a.n), clarifyDivide(d.tp + d.tn, d.n)),
      ),
  },
  TE: {
    name: 'TE',
    description: 'Treatment Equality (TE)',
    stage: post,
    needsGroup: false,
    compute: (c) =>
      withGroups(c, ({ a, d }) => clarifyDifference(clarifyDivide(d.fn, d.fp), clarifyDivide(a.fn, a.fp))),
  },
  CDDPL: {
    name: 'CDDPL',
    description: 'Conditional Demographic Disparity in Predicted Labels (CDDPL)',
    stage: post,
    needsGroup: true,
    compute: (c) => conditionalDemographicDisparity(c, true),
  },
  GE: {
    name: 'GE',
    description: 'Generalized Entropy (GE)',
    stage: post,
    needsGroup: false,
    compute: generalizedEntropy,
  },
} as const satisfies Readonly<Record<string, BiasMetricDefinition>>;

export type BiasMetricName = keyof typeof biasMetrics | 'FT';

/** One metric entry as Clarify's analysis.json writes it (§9.5). */
export interface BiasMetricResult {
  name: string;
  description: string;
  value: number | null;
  error?: string;
  /** smclarify's integer 0 (written `0`, not `0.0`). */
  integer?: true;
}

/** Computes the named counts-based metrics; unknown names list what exists. */
export function computeBiasMetrics(
  counts: BiasCounts,
  names: readonly (keyof typeof biasMetrics)[],
): BiasMetricResult[] {
  return names.map((n) => {
    const def: BiasMetricDefinition = biasMetrics[n];
    const out = def.compute(counts);
    return 'error' in out
      ? { name: def.name, description: def.description, value: null, error: out.error }
      : out.integer
        ? { name: def.name, description: def.description, value: out.value, integer: true }
        : { name: def.name, description: def.description, value: out.value };
  });
}
