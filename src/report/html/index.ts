export { escapeHtml, formatNumber } from './escape.js';
export { loadHourFiles } from './load.js';
export { type HourFiles, kindOfExecution, type ReportSection } from './model.js';
export { REPORT_CSP, renderReport } from './render.js';
export { REPORT_SECTIONS, sectionFor } from './sections.js';
