/**
 * JSON in the style of Jackson's default pretty printer, which SageMaker's analyzer uses
 * (`"key" : value`, two-space indent, `[ {` for arrays of objects, doubles always with a fraction: `1.0`).
 * Compatibility needs only valid JSON with the same keys; the same style makes diffs against real files easy.
 *
 * Numbers are written as integers unless wrapped in `Float` (a Java double). Non-finite doubles are written
 * as the string "NaN" (SageMaker writes `"standard_deviation" : "NaN"`), never as invalid JSON.
 */
export class Float {
  constructor(readonly value: number) {}
}

export const float = (value: number): Float => new Float(value);

/** Java's Double.toString for finite values: decimal for 1e-3 <= |x| < 1e7, else `d.dddE±n`. */
export function javaDouble(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    if (s.includes('e')) return x.toFixed(20).replace(/0+$/, '').replace(/\.$/, '.0');
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.replace('+', '')}`;
}

/** One value in the Jackson style, nested under `indent` (what `toJackson` writes for it at that depth). */
export function renderJackson(value: unknown, indent: string): string {
  return render(value, indent);
}

function render(value: unknown, indent: string): string {
  if (value instanceof Float) return Number.isFinite(value.value) ? javaDouble(value.value) : '"NaN"';
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) return '"NaN"';
      return Number.isInteger(value) ? String(value) : javaDouble(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        if (value.length === 0) return '[ ]';
        return `[ ${value.map((v) => render(v, indent)).join(', ')} ]`;
      }
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return '{ }';
      const inner = `${indent}  `;
      const fields = entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${render(v, inner)}`);
      return `{\n${fields.join(',\n')}\n${indent}}`;
    }
    default:
      return JSON.stringify(String(value));
  }
}

export function toJackson(value: unknown): string {
  return `${render(value, '')}\n`;
}
