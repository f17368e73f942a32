/** HTML escaping for untrusted text (feature names, categories, messages) in element content and attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A number for people: up to 4 significant digits, NaN/undefined as an en dash. */
export function formatNumber(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

export const formatShare = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
