/** Sensitive-data detectors: precision and recall on the generated labelled corpus, and their cost. */
import { mulberry32 } from '../src/core/random.js';
import { labelledCorpus, scoreDetectors } from '../src/metrics/sensitive/corpus.js';
import { SensitiveFindings } from '../src/metrics/sensitive/findings.js';
import { CATEGORIES, generateCell } from './columns.js';

export async function benchSensitive(perType: number, cells: number): Promise<void> {
  const corpus = labelledCorpus(mulberry32(17), perType);
  console.log(
    `labelled corpus: ${corpus.length} values (${perType} true + ${perType} look-alikes per type, ${perType * 4} resemblances)`,
  );
  console.log('type                        precision  recall   TP    FP    FN');
  for (const s of scoreDetectors(corpus)) {
    console.log(
      `${s.type.padEnd(28)}${s.precision.toFixed(4).padStart(9)}${s.recall.toFixed(4).padStart(8)}${String(s.truePositives).padStart(6)}${String(s.falsePositives).padStart(6)}${String(s.falseNegatives).padStart(6)}`,
    );
  }
  // Cost per cell on the bench's own column kinds (what an execution profiles).
  const rng = mulberry32(3);
  const values: string[] = [];
  for (let i = 0; i < cells; i++) {
    const kind = (['int', 'float', 'category', 'category'] as const)[i % 4]!;
    values.push(generateCell(kind, rng, CATEGORIES[i % CATEGORIES.length]!));
  }
  const findings = new SensitiveFindings();
  for (let round = 0; round < 2; round++) {
    const t0 = process.hrtime.bigint();
    for (const v of values) findings.add(v);
    const ns = Number(process.hrtime.bigint() - t0) / values.length;
    if (round === 1)
      console.log(
        `detection cost: ${ns.toFixed(1)} ns per cell over ${cells} bench cells (int, float, category)`,
      );
  }
}
