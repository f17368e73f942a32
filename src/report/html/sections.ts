/**
 * The section renderer of each monitor kind: a readonly registry, no registration at import time. A new
 * kind (bias, attribution) adds one file and one line here.
 */
import { attributionSection, biasSection } from './clarify.js';
import { dataQualitySection } from './data-quality.js';
import type { ReportSection } from './model.js';
import { modelQualitySection } from './model-quality.js';

export const REPORT_SECTIONS = {
  'data-quality': dataQualitySection,
  'model-quality': modelQualitySection,
  bias: biasSection,
  attribution: attributionSection,
} as const satisfies Readonly<Record<string, ReportSection>>;

export function sectionFor(
  kind: string,
  sections: Readonly<Record<string, ReportSection>> = REPORT_SECTIONS,
): ReportSection | undefined {
  return Object.hasOwn(sections, kind) ? sections[kind] : undefined;
}
