/**
 * The monitors config described from its zod schema, so the description cannot drift from what is
 * validated: a JSON Schema (`driftwatch config schema`, for editors: completion and checks) and the config
 * reference in Markdown (`driftwatch config schema --markdown`, committed as docs/config.md by
 * scripts/config-docs.sh; a test checks the committed file is current).
 */
import { z } from 'zod';
import { monitorSchema, queueSchema } from './monitors.js';

/** The config file's shape as documented (the parser merges `defaults` into each monitor first). */
const documentedFileSchema = z
  .object({
    queue: queueSchema.optional().describe('The BullMQ queue the worker, schedule, backfill and status use.'),
    defaults: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "Fields merged into every monitor (any monitor field but name; a monitor's own value wins; window, retry and alarms merge one level deep).",
      ),
    monitors: z.array(monitorSchema).describe('The monitors.'),
  })
  .strict();

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  [key: string]: unknown;
};

/** The JSON Schema (draft 2020-12) of a monitors config file, as written (inputs: defaults optional). */
export function monitorsConfigJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(documentedFileSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  // Top-level `x-...` keys are ignored by the parser: a place for YAML anchors.
  schema.patternProperties = { '^x-': {} };
  schema.title = 'driftwatch monitors config';
  return schema;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' || s.properties) return s.properties ? 'object (below)' : 'object';
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) bounds.push(`≤ ${s.maximum}`);
  return `${s.type ?? 'any'}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
}

/** The object schema nested in `s` (directly, as array items, or as one alternative), if any. */
function objectIn(s: JsonSchema): JsonSchema | undefined {
  if (s.properties) return s;
  if (s.items) return objectIn(s.items);
  for (const alternative of s.anyOf ?? s.oneOf ?? []) {
    const found = objectIn(alternative);
    if (found) return found;
  }
  return undefined;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function section(path: string, s: JsonSchema, out: string[]): void {
  const object = objectIn(s);
  if (!object?.properties) return;
  out.push('', `## \`${path}\``, '');
  if (s.description) out.push(s.description, '');
  out.push('| field | type | default | description |', '| --- | --- | --- | --- |');
  const required = new Set(object.required ?? []);
  const nested: Array<[string, JsonSchema]> = [];
  for (const [name, field] of Object.entries(object.properties)) {
    const fieldDefault =
      field.default !== undefined
        ? `\`${JSON.stringify(field.default)}\``
        : required.has(name)
          ? 'required'
          : '';
    out.push(`| \`${name}\` | ${typeOf(field)} | ${cell(fieldDefault)} | ${cell(field.description ?? '')} |`);
    if (objectIn(field)?.properties) nested.push([name, field]);
  }
  for (const [name, field] of nested) {
    const child = field.type === 'array' ? `${path}.${name}[]` : `${path}.${name}`;
    section(child.replace(/^\(file\)\./, ''), field, out);
  }
}

const PREAMBLE = `# Monitors config reference

<!-- Generated from the zod schema (src/config/monitors.ts and the settings it includes) by
scripts/config-docs.sh: do not edit by hand. tests/unit/config-reference.test.ts checks it is current. -->

A monitors config is a YAML (or JSON) file: \`driftwatch config validate --config monitors.yaml\` checks it
(every problem in one pass, unknown fields with a "did you mean"), \`driftwatch config schema\` prints its JSON
Schema for editors (e.g. \`# yaml-language-server: $schema=driftwatch.schema.json\` at the top of the file).
Durations and window offsets are ISO 8601 (\`-PT1H\`, \`P1D\`); times are UTC unless they carry an offset.

## The record preprocessor

\`preprocessor\` names a JavaScript (ESM) module, SageMaker's \`preprocess_handler\` in JavaScript: it exports
\`preprocess(record)\` (or a default function) called once per captured record, where \`record\` holds the
decoded \`input\` and \`output\` payloads (\`record.input.data\`, \`record.output.data\`), the ids and
\`inferenceTime\`. It returns one row (an object of feature name → value), an array of rows, or \`null\`/\`[]\`
to drop the record (counted as \`dropped_by_preprocessor\`); it may return a promise. It may reshape, rename,
filter and derive values; it should be pure and fast (it runs for every record). A thrown error, or a value
that is not rows, is counted as \`preprocessor_error\` and the record skipped. It runs inside the worker (or
CLI) process with its permissions and environment: a module on \`s3://\` must be pinned with
\`preprocessorSha256\` and is never loaded from the monitor's capture or output prefixes (others write
there).`;

/** The config reference in Markdown (docs/config.md). */
export function monitorsConfigReference(): string {
  const schema = monitorsConfigJsonSchema();
  const out: string[] = [PREAMBLE];
  section('(file)', schema, out);
  return `${out.join('\n').replace(/## `\(file\)`/, '## The file')}\n`;
}
