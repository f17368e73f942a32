/**
 * The execution depends on `alerts/`'s publisher interface (`MetricPublisher`, `Datum`), never on the AWS
 * SDK: no file under src/monitor or src/jobs imports or exports from '@aws-sdk/*' (type-only and dynamic
 * imports included), nor does any file of src/alerts they reach. The CloudWatch adapter
 * (`alerts/cloudwatch-publisher.ts`) is reached from the entry points that take a client: the CLI and
 * src/api (whose files import no SDK themselves).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const FREE_OF_SDK = ['monitor', 'jobs'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier `file` names: import/export declarations, `import()` and `import('x').T` types. */
function specifiers(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      out.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) out.push(arg.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** `file` and the files under src/alerts it reaches through relative imports (type-only included). */
function withReachedAlerts(files: string[]): string[] {
  const alerts = join(SRC, 'alerts');
  const seen = new Set(files);
  const queue = [...files];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const s of specifiers(file)) {
      if (!s.startsWith('.')) continue;
      const target = resolve(dirname(file), s.replace(/\.js$/, '.ts'));
      if (!target.startsWith(alerts) || !existsSync(target) || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen];
}

describe('the execution and the AWS SDK', () => {
  it('finds an SDK import of every form (the check itself)', () => {
    const text = [
      "import type { MetricDatum } from '@aws-sdk/client-cloudwatch';",
      "export { S3Client } from '@aws-sdk/client-s3';",
      "const m = await import('@aws-sdk/client-sts');",
      "type C = import('@aws-sdk/client-cloudwatch').CloudWatchClient;",
    ].join('\n');
    expect(specifiers('x.ts', text).filter((s) => s.startsWith('@aws-sdk/'))).toHaveLength(4);
  });

  it('no file under src/monitor or src/jobs, nor of src/alerts they reach, nor under src/api imports @aws-sdk/*', () => {
    const files = [
      ...withReachedAlerts(FREE_OF_SDK.flatMap((folder) => sourceFiles(join(SRC, folder)))),
      ...sourceFiles(join(SRC, 'api')),
    ];
    expect(files.some((f) => f.endsWith('alerts/metric-publisher.ts'))).toBe(true);
    const offenders = files.flatMap((file) =>
      specifiers(file)
        .filter((s) => s.startsWith('@aws-sdk/'))
        .map((s) => `${relative(SRC, file)} → ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the CloudWatch adapter imports the SDK (the check sees it)', () => {
    const adapter = join(SRC, 'alerts/cloudwatch-publisher.ts');
    expect(specifiers(adapter)).toContain('@aws-sdk/client-cloudwatch');
  });
});
