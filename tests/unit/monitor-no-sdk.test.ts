/**
 * `monitor/` depends on `alerts/`'s publisher interface, never on the AWS SDK: no file under src/monitor
 * imports or exports from '@aws-sdk/*' (type-only and dynamic imports included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MONITOR = resolve(import.meta.dirname, '../../src/monitor');

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

describe('monitor/ and the AWS SDK', () => {
  it('finds an SDK import of every form (the check itself)', () => {
    const text = [
      "import type { MetricDatum } from '@aws-sdk/client-cloudwatch';",
      "export { S3Client } from '@aws-sdk/client-s3';",
      "const m = await import('@aws-sdk/client-sts');",
      "type C = import('@aws-sdk/client-cloudwatch').CloudWatchClient;",
    ].join('\n');
    expect(specifiers('x.ts', text).filter((s) => s.startsWith('@aws-sdk/'))).toHaveLength(4);
  });

  it('no file under src/monitor imports @aws-sdk/*', () => {
    const offenders = sourceFiles(MONITOR).flatMap((file) =>
      specifiers(file)
        .filter((s) => s.startsWith('@aws-sdk/'))
        .map((s) => `${relative(MONITOR, file)} → ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
