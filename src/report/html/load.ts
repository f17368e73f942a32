/**
 * Reads what an hour folder holds (and the baseline statistics it refers to) into `HourFiles`. A missing
 * or unreadable file is listed in `problems` and the report is drawn without it.
 */
import { parseConstraints } from '../../baseline/constraints.js';
import { parseStatistics } from '../../baseline/statistics.js';
import { InputError } from '../../core/errors.js';
import { joinUri, type Storage } from '../../io/storage.js';
import { type HourFiles, kindOfExecution } from './model.js';

async function readOptional(storage: Storage, uri: string, problems: string[]): Promise<string | undefined> {
  try {
    if (!(await storage.head(uri))) {
      problems.push(`${uri}: not found`);
      return undefined;
    }
    return await storage.readText(uri);
  } catch (error) {
    problems.push(`${uri}: ${(error as Error).message}`);
    return undefined;
  }
}

function parseOr<T>(
  text: string | undefined,
  parse: (t: string) => T,
  uri: string,
  problems: string[],
): T | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch (error) {
    problems.push(`${uri}: ${(error as Error).message}`);
    return undefined;
  }
}

const asObject = (t: string) => {
  const v: unknown = JSON.parse(t);
  return (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
};

/** Loads an execution's hour folder given its prefix, or its execution.json written in memory (before it is stored). */
export async function loadHourFiles(
  storage: Storage,
  prefix: string,
  execution?: Record<string, unknown>,
): Promise<HourFiles> {
  const problems: string[] = [];
  const executionUri = joinUri(prefix, 'execution.json');
  let summary = execution;
  if (!summary) {
    if (!(await storage.head(executionUri))) throw new InputError(`no execution.json under ${prefix}`);
    summary = asObject(await storage.readText(executionUri));
  }
  const kind = kindOfExecution(summary);
  const files: HourFiles = { kind, execution: summary, problems };
  const baselineFiles = Array.isArray(summary.baseline) ? (summary.baseline as Array<{ uri?: unknown }>) : [];
  const baselineDir = baselineFiles
    .map((b) => String(b.uri ?? ''))
    .find((u) => /\/(statistics|constraints)\.json$/.test(u))
    ?.replace(/[^/]+$/, '');
  const statsUri = joinUri(prefix, 'statistics.json');
  const violationsUri = joinUri(prefix, 'constraint_violations.json');
  const failed = summary.status === 'Failed';
  const quiet: string[] = [];
  const sink = failed ? quiet : problems;
  // The Clarify kinds write constraint_violations.json only when there are violations (spec §9.1).
  const clarify = kind === 'bias' || kind === 'attribution';
  const violationsText = await readOptional(storage, violationsUri, clarify ? quiet : sink);
  files.violations = parseOr(
    violationsText,
    (t) => {
      const v = asObject(t).violations;
      return Array.isArray(v) ? (v as Array<Record<string, unknown>>) : [];
    },
    violationsUri,
    problems,
  );
  if (clarify) {
    if (kind === 'attribution') {
      const analysisUri = joinUri(prefix, 'analysis.json');
      files.clarifyAnalysis = parseOr(
        await readOptional(storage, analysisUri, sink),
        asObject,
        analysisUri,
        problems,
      );
      const baselineUri = baselineFiles
        .map((b) => String(b.uri ?? ''))
        .find((u) => /\/analysis\.json$/.test(u));
      if (baselineUri)
        files.clarifyBaselineAnalysis = parseOr(
          await readOptional(storage, baselineUri, problems),
          asObject,
          baselineUri,
          problems,
        );
    }
    return files;
  }
  if (kind === 'model-quality') {
    files.modelStatistics = parseOr(
      await readOptional(storage, statsUri, sink),
      asObject,
      statsUri,
      problems,
    );
    if (baselineDir) {
      const bs = `${baselineDir}statistics.json`;
      const bc = `${baselineDir}constraints.json`;
      files.modelBaselineStatistics = parseOr(
        await readOptional(storage, bs, problems),
        asObject,
        bs,
        problems,
      );
      files.modelConstraints = parseOr(await readOptional(storage, bc, problems), asObject, bc, problems);
    }
    return files;
  }
  files.statistics = parseOr(
    await readOptional(storage, statsUri, sink),
    (t) => parseStatistics(t, statsUri),
    statsUri,
    problems,
  );
  const constraintsUri = joinUri(prefix, 'constraints.json');
  files.constraints = parseOr(
    await readOptional(storage, constraintsUri, sink),
    (t) => parseConstraints(t, constraintsUri),
    constraintsUri,
    problems,
  );
  if (baselineDir) {
    const bs = `${baselineDir}statistics.json`;
    files.baselineStatistics = parseOr(
      await readOptional(storage, bs, problems),
      (t) => parseStatistics(t, bs),
      bs,
      problems,
    );
  }
  return files;
}
