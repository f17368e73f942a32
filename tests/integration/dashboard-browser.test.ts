/**
 * Reports and the dashboard as a person sees them: headless Debian chromium (the system browser, driven by
 * playwright-core; nothing downloads a browser) opens the served and the exported pages. Charts are drawn,
 * drifted features come first, tooltips carry the execution's numbers, no console errors, no request
 * leaves the page's origin, and a feature named like an HTML tag shows as text and runs nothing. The Clarify
 * kinds (bias, attribution): their report sections and monitor pages show the violated facet metrics and
 * the swapped feature ranks with the execution's numbers, without widening the page.
 * Screenshots go to a temp folder (printed; DRIFTWATCH_SCREENSHOTS names another), never to the repository.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMonitorsConfig } from '../../src/config/monitors.js';
import { createDashboardServer, exportDashboard } from '../../src/dashboard/index.js';
import { createStorage } from '../../src/io/storage.js';
import { runCli } from '../support/cli.js';
import {
  type ClarifyFixture,
  clarifyHours,
  type DataQualityFixture,
  dataQualityDay,
  type ModelQualityFixture,
  modelQualityHours,
} from '../support/report-fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EVIL = '<img src=x onerror=alert(1)>';

interface Visit {
  consoleErrors: string[];
  foreignRequests: string[];
  dialogs: string[];
}

/** Opens a page, recording console errors, requests to any other origin, and dialogs (alert). */
async function visit(browser: Browser, url: string): Promise<{ page: Page; seen: Visit }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const seen: Visit = { consoleErrors: [], foreignRequests: [], dialogs: [] };
  const origin = url.startsWith('file:') ? 'file://' : new URL(url).origin;
  page.on('console', (m) => {
    if (m.type() === 'error') seen.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => seen.consoleErrors.push(e.message));
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:')) seen.foreignRequests.push(u);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, seen };
}

function expectClean(seen: Visit): void {
  expect(seen.consoleErrors).toEqual([]);
  expect(seen.foreignRequests).toEqual([]);
  expect(seen.dialogs).toEqual([]);
}

/** How far the page is wider than its viewport, in CSS pixels (0: no horizontal scrolling). */
async function horizontalOverflow(page: Page): Promise<number> {
  return await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
}

/** The text of every cell of the table rows matched by `rows`, row by row. */
async function cellTexts(page: Page, rows: string): Promise<string[][]> {
  return await page
    .locator(rows)
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** The report hour folder `yyyy/mm/dd/hh` of an execution. */
const hourOf = (reportUri: string | undefined) => reportUri?.match(/(\d{4}\/\d{2}\/\d{2}\/\d{2})\/$/)?.[1];

describe('reports and dashboard in chromium', () => {
  const storage = createStorage();
  let root: string;
  let shots: string;
  let dq: DataQualityFixture;
  let mq: ModelQualityFixture;
  let clarify: ClarifyFixture;
  let browser: Browser;
  let base: string;
  let close: () => Promise<void>;
  let configFile: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dw-browser-'));
    shots = process.env.DRIFTWATCH_SCREENSHOTS ?? join(tmpdir(), 'driftwatch-screenshots');
    await mkdir(shots, { recursive: true });
    dq = await dataQualityDay(join(root, 'dq'));
    mq = await modelQualityHours(join(root, 'mq'));
    clarify = await clarifyHours(join(root, 'clarify'));
    // The categorical feature `plan` is renamed to a hostile name everywhere (the day's files and the
    // baseline); the stored report.html files are removed, so the dashboard draws them from the files.
    const renamed = [
      join(root, 'dq', 'baseline', 'statistics.json'),
      join(root, 'dq', 'baseline', 'constraints.json'),
    ];
    for (const hour of dq.hours)
      for (const f of ['statistics.json', 'constraints.json', 'constraint_violations.json', 'execution.json'])
        renamed.push(join(hour, f));
    for (const file of renamed) {
      if (!existsSync(file)) continue;
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replaceAll(JSON.stringify('plan'), JSON.stringify(EVIL)));
    }
    for (const hour of dq.hours) await rm(join(hour, 'report.html'), { force: true });
    await mkdir(join(root, 'dq', 'datacapture', 'unmonitored-endpoint'), { recursive: true });
    configFile = join(root, 'monitors.yaml');
    await writeFile(
      configFile,
      `monitors:
  - name: churn-data-quality
    endpoint: churn-endpoint
    capture: ${join(root, 'dq', 'datacapture')}
    baseline: ${join(root, 'dq', 'baseline')}
    output: ${join(root, 'dq', 'reports')}
    schedule: cron(0 * ? * * *)
  - name: churn-model-quality
    type: model-quality
    endpoint: churn-endpoint
    capture: ${join(root, 'mq', 'datacapture')}
    baseline: ${join(root, 'mq', 'mq-baseline')}
    output: ${join(root, 'mq', 'mq-reports')}
    schedule: cron(0 * ? * * *)
    modelQuality:
      problemType: BinaryClassification
      groundTruth: ${join(root, 'mq', 'ground-truth')}
      probabilityAttribute: "0"
  - name: credit-bias
    type: bias
    endpoint: credit
    capture: ${join(root, 'clarify', 'bias-capture')}
    baseline: ${join(root, 'clarify', 'bias-baseline')}
    output: ${join(root, 'clarify', 'bias-reports')}
    schedule: cron(0 * ? * * *)
    bias:
      groundTruth: ${join(root, 'clarify', 'ground-truth')}
      probabilityAttribute: "0"
  - name: credit-attribution
    type: attribution
    endpoint: credit
    capture: ${join(root, 'clarify', 'attribution-capture')}
    baseline: ${join(root, 'clarify', 'attribution-baseline')}
    output: ${join(root, 'clarify', 'attribution-reports')}
    schedule: cron(0 * ? * * *)
    attribution: {}
`,
    );
    const config = await loadMonitorsConfig(configFile);
    const server = createDashboardServer({ storage, config });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
    storage.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('a drifted hour: charts drawn, drifted features first, the execution numbers in the tooltips', async () => {
    const summary = dq.summaries[14];
    const hour = summary?.reportUri.match(/(\d{4}\/\d{2}\/\d{2}\/\d{2})\/$/)?.[1];
    const { page, seen } = await visit(browser, `${base}/m/churn-data-quality/${hour}/report.html`);
    await page.screenshot({ path: join(shots, 'report-drifted.png'), fullPage: true });
    expectClean(seen);
    expect(await page.locator('[data-status]').first().textContent()).toBe('CompletedWithViolations');
    // Charts: every numeric feature has a histogram and two CDF lines; categorical ones have bars.
    expect(await page.locator('svg.hist rect.bar').count()).toBeGreaterThan(100);
    expect(await page.locator('svg.chart path.line.cur').count()).toBeGreaterThanOrEqual(7);
    const order = await page
      .locator('section.feature')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-feature')));
    const drifted = (summary?.driftedFeatures ?? []).map((f) => (f === 'plan' ? EVIL : f));
    expect(drifted.length).toBeGreaterThan(0);
    expect(new Set(order.slice(0, drifted.length))).toEqual(new Set(drifted));
    expect(await page.locator('section.feature.drifted').count()).toBe(drifted.length);
    // The score bar's tooltip has the value the execution recorded for income.
    const income = (summary?.featureScores ?? []).find((f) => f.name === 'income');
    const tip = await page.locator('section[data-feature="income"] svg.score title').textContent();
    expect(tip).toBe(`score ${Number(income?.value?.toPrecision(4))}, threshold ${income?.threshold}`);
    // The hostile name is text: shown as typed, no image element, no alert.
    expect(await page.locator('img').count()).toBe(0);
    const heading = page.locator('section.feature h3 .fname', { hasText: EVIL });
    expect(await heading.count()).toBe(1);
    expect(await heading.textContent()).toBe(EVIL);
    await page.close();
  });

  it('a model-quality hour: metrics, confusion matrix, ROC and PR curves, CBPE band', async () => {
    const summary = mq.summaries[3];
    const hour = summary?.reportUri.match(/(\d{4}\/\d{2}\/\d{2}\/\d{2})\/$/)?.[1];
    const { page, seen } = await visit(browser, `${base}/m/churn-model-quality/${hour}/report.html`);
    await page.screenshot({ path: join(shots, 'report-model-quality.png'), fullPage: true });
    expectClean(seen);
    expect(await page.locator('svg[aria-label="ROC curve: baseline vs window"] path.line').count()).toBe(2);
    expect(
      await page.locator('svg[aria-label="Precision-recall curve: baseline vs window"] path.line').count(),
    ).toBe(2);
    expect(await page.locator('table.cm td').count()).toBe(4);
    const f1 = summary?.modelQuality.metrics.f1 ?? Number.NaN;
    expect(await page.locator('tr[data-metric="f1"] td').nth(1).textContent()).toBe(
      String(Number(f1.toPrecision(4))),
    );
    await page.close();
  });

  it('the overview: one row per endpoint, a column per monitor type, unmonitored endpoints', async () => {
    const { page, seen } = await visit(browser, `${base}/`);
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
    expectClean(seen);
    const churn = page.locator('tr[data-endpoint="churn-endpoint"]');
    expect(await churn.locator('td[data-type="data-quality"] [data-status]').textContent()).toBe(
      dq.summaries[23]?.status,
    );
    expect(await churn.locator('td[data-type="data-quality"] [data-violations]').textContent()).toBe(
      String(dq.summaries[23]?.violations),
    );
    expect(await churn.locator('td[data-type="model-quality"] [data-status]').textContent()).toBe(
      mq.summaries[3]?.status,
    );
    expect(await churn.locator('td[data-type="bias"]').textContent()).toBe('not monitored');
    const other = page.locator('tr[data-endpoint="unmonitored-endpoint"]');
    expect(await other.locator('td.nm').count()).toBe(4);
    // Links down: overview → monitor page → that hour's report, by clicking.
    await churn.locator('a[data-monitor="churn-data-quality"]').click();
    await page.waitForURL(/\/m\/churn-data-quality\//);
    await page.locator('table.recent a').first().click();
    await page.waitForURL(/\/report\.html$/);
    expect(await page.locator('[data-status]').first().textContent()).toBe(dq.summaries[23]?.status);
    expectClean(seen);
    await page.close();
  });

  it('a data-quality monitor: status strip, features × time heat map with drifted features first', async () => {
    const { page, seen } = await visit(browser, `${base}/m/churn-data-quality/`);
    await page.screenshot({ path: join(shots, 'monitor-data-quality.png'), fullPage: true });
    expectClean(seen);
    expect(await page.locator('svg.strip rect').count()).toBe(24);
    expect(await page.locator('svg.strip rect.s-CompletedWithViolations').count()).toBe(
      dq.summaries.filter((s) => s.status === 'CompletedWithViolations').length,
    );
    const features = await page
      .locator('svg.heat text[data-feature]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-feature')));
    expect(features).toHaveLength(10);
    const lastDrifted = (dq.summaries[23]?.driftedFeatures ?? []).map((f) => (f === 'plan' ? EVIL : f));
    expect(new Set(features.slice(0, lastDrifted.length))).toEqual(new Set(lastDrifted));
    expect(await page.locator('svg.heat rect').count()).toBe(240);
    expect(await page.locator('svg.heat rect.h4').count()).toBeGreaterThan(0);
    // A cell's tooltip: the execution's value and threshold for that feature.
    const s = dq.summaries[20];
    const income = s?.featureScores?.find((f) => f.name === 'income');
    const titles = await page.locator('svg.heat rect title').allTextContents();
    expect(titles).toContain(
      `income ${s?.scheduledTime}: score ${Number(income?.value?.toPrecision(4))} vs threshold ${income?.threshold} (drift)`,
    );
    // The hostile feature's row label is text.
    expect(await page.locator('svg.heat text[data-feature]', { hasText: EVIL }).count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    await page.close();
  });

  it('a model-quality monitor: metrics over time with thresholds, CBPE estimates and MAD bands', async () => {
    const { page, seen } = await visit(browser, `${base}/m/churn-model-quality/index.html`);
    await page.screenshot({ path: join(shots, 'monitor-model-quality.png'), fullPage: true });
    expectClean(seen);
    const f1 = page.locator('svg.metric[data-metric="f1"]');
    expect(await f1.locator('circle.pt').count()).toBe(4);
    expect(await f1.locator('path.thr').count()).toBe(1);
    expect(await f1.locator('rect.est').count()).toBe(4);
    expect(await page.locator('table.metrics tr[data-metric="f1"]').count()).toBe(1);
    await page.close();
  });

  it('a bias hour: the violated facet metrics first, baseline vs window values, the join counts', async () => {
    const summary = clarify.bias[4];
    const { page, seen } = await visit(
      browser,
      `${base}/m/credit-bias/${hourOf(summary?.reportUri)}/report.html`,
    );
    await page.screenshot({ path: join(shots, 'report-bias.png'), fullPage: true });
    expectClean(seen);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.locator('[data-status]').first().textContent()).toBe('CompletedWithViolations');
    expect(await page.locator('h2', { hasText: 'Bias drift' }).count()).toBe(1);
    expect(await page.locator('main p').first().textContent()).toMatch(
      /^Join: predictions 160, labels \d+, matched 160, unmatchedPredictions 0, orphanLabels \d+; 160 rows analysed, check point/,
    );
    // Columns: stage, facet, value, metric, baseline, window, verdict. The violated rows come first, and
    // they are exactly the execution's violated metrics.
    const rows = await cellTexts(page, 'main table.metrics tbody tr');
    const violated = summary?.bias.violatedMetrics ?? [];
    expect(violated.length).toBeGreaterThanOrEqual(3);
    const shown = rows.slice(0, violated.length);
    expect(shown.every((r) => r[6] === 'violated')).toBe(true);
    expect(rows.slice(violated.length).some((r) => r[6] === 'violated')).toBe(false);
    expect(new Set(shown.map((r) => `${r[1]}=${r[2]}:${r[3]}`))).toEqual(new Set(violated));
    // Female acceptance drops from 40/80 to 10/80: DI of male = 0.5 / 0.125 = 4 against the baseline's 1,
    // DPPL of female = 0.5 - 0.125 against 0 (the numbers of tests/integration/clarify-kinds.test.ts).
    const row = (facetValue: string, metric: string) =>
      rows.find((r) => r[2] === facetValue && r[3] === metric);
    expect(row('male', 'DI')).toEqual(['post', 'gender', 'male', 'DI', '1', '4', 'violated']);
    expect(row('female', 'DPPL')).toEqual(['post', 'gender', 'female', 'DPPL', '0', '0.375', 'violated']);
    // Every comparison is shown (pre- and post-training, both facet values); none is missing a value cell.
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['pre', 'post']));
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['female', 'male']));
    expect(rows.every((r) => r.length === 7)).toBe(true);
    // A healthy hour of the same monitor: no violated row.
    const healthy = await visit(
      browser,
      `${base}/m/credit-bias/${hourOf(clarify.bias[0]?.reportUri)}/report.html`,
    );
    expectClean(healthy.seen);
    expect(await healthy.page.locator('[data-status]').first().textContent()).toBe('Completed');
    expect(await healthy.page.locator('main tr.violated').count()).toBe(0);
    expect(await healthy.page.locator('main table.metrics tbody tr').count()).toBe(rows.length);
    await healthy.page.close();
    await page.close();
  });

  it('an attribution hour: NDCG below its threshold, the two swapped features marked with their ranks', async () => {
    const summary = clarify.attribution[3];
    const label = summary?.attribution.labels[0];
    const { page, seen } = await visit(
      browser,
      `${base}/m/credit-attribution/${hourOf(summary?.reportUri)}/report.html`,
    );
    await page.screenshot({ path: join(shots, 'report-attribution.png'), fullPage: true });
    expectClean(seen);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.locator('[data-status]').first().textContent()).toBe('CompletedWithViolations');
    expect(await page.locator('main h2').textContent()).toBe(
      'Feature attribution drift (Clarify, mean_abs of 120 explained records)',
    );
    expect(await page.locator('main h3').textContent()).toBe(
      `Label label0: NDCG ${Number((label?.ndcg ?? Number.NaN).toPrecision(4))} (violation below 0.9) violated`,
    );
    // Columns: feature, baseline value, baseline rank, window value, window rank; in baseline rank order.
    const rows = await cellTexts(page, 'main table.metrics tbody tr');
    expect(rows.map((r) => [r[0], r[2], r[4]])).toEqual([
      ['income', '1', '2'],
      ['age', '2', '1'],
      ['tenure', '3', '3'],
    ]);
    expect(rows[0]?.[1]).toBe('0.7');
    expect(rows[1]?.[1]).toBe('0.2');
    expect(Number(rows[1]?.[3])).toBeGreaterThan(Number(rows[0]?.[3]));
    expect(
      await page.locator('main table.metrics tbody tr.violated td:first-child').allTextContents(),
    ).toEqual(['income', 'age']);
    await page.close();
  });

  it('the overview and the Clarify monitor pages: statuses, metrics over time, links to the reports', async () => {
    const { page, seen } = await visit(browser, `${base}/`);
    const credit = page.locator('tr[data-endpoint="credit"]');
    const lastBias = clarify.bias[clarify.bias.length - 1];
    const lastAttribution = clarify.attribution[clarify.attribution.length - 1];
    expect(await credit.locator('td[data-type="bias"] a').textContent()).toBe('credit-bias');
    expect(await credit.locator('td[data-type="bias"] [data-status]').textContent()).toBe(lastBias?.status);
    expect(await credit.locator('td[data-type="bias"] [data-violations]').textContent()).toBe(
      String(lastBias?.violations),
    );
    expect(await credit.locator('td[data-type="attribution"] [data-status]').textContent()).toBe(
      lastAttribution?.status,
    );
    expect(await credit.locator('td[data-type="data-quality"]').textContent()).toBe('not monitored');
    expect(await horizontalOverflow(page)).toBe(0);

    // Bias: the status strip, DI and DPPL per facet value over time with the baseline's bound.
    await credit.locator('a[data-monitor="credit-bias"]').click();
    await page.waitForURL(/\/m\/credit-bias\//);
    await page.screenshot({ path: join(shots, 'monitor-bias.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('credit-bias Bias of credit');
    expect(await page.locator('h2', { hasText: 'Bias metrics over time' }).count()).toBe(1);
    expect(await page.locator('table.metrics th', { hasText: 'CBPE' }).count()).toBe(0);
    // The hour evaluated before its labels came, then the six hours evaluated with them.
    expect(await page.locator('svg.strip rect').count()).toBe(7);
    expect(await page.locator('svg.strip rect.s-CompletedWithViolations').count()).toBe(3);
    expect(await page.locator('svg.strip rect.s-Failed').count()).toBe(1);
    const di = await cellTexts(page, 'table.metrics tr[data-metric="DI gender=male"]');
    expect(di[0]?.slice(0, 3)).toEqual(['DI gender=male', '4', '|x| ≤ 1']);
    const chart = page.locator('svg.metric[data-metric="DI gender=male"]');
    expect(await chart.locator('circle.pt').count()).toBe(6);
    expect(await chart.locator('path.thr').count()).toBe(1);
    expect(await chart.getAttribute('aria-label')).toBe(
      'DI gender=male over time: realised (line), threshold (dashed), median ± 3 MAD (grey)',
    );
    // The chart's name is above its plot area, where no line can cross it.
    const name = await chart.locator('text.axis-label').boundingBox();
    const plot = await chart.locator('path.axis').boundingBox();
    expect((name?.y ?? Number.NaN) + (name?.height ?? 0)).toBeLessThanOrEqual((plot?.y ?? Number.NaN) + 1);
    expect(await chart.locator('circle.pt title').allTextContents()).toEqual(
      clarify.bias.map((s, h) => `DI gender=male ${s.scheduledTime}: ${h < 3 ? 1 : 4}`),
    );
    expect(await page.locator('svg.metric[data-metric="DPPL gender=female"] circle.pt').count()).toBe(6);
    // The failed execution is listed with its reason, and its report says why.
    const failed = await cellTexts(page, 'table.failed tbody tr');
    expect(failed).toEqual([
      [clarify.biasWithoutLabels.scheduledTime, clarify.biasWithoutLabels.failureReason as string],
    ]);
    expect(failed[0]?.[1]).toMatch(
      /^No ground truth to merge: no ground-truth objects in .*; 160 predictions wait for labels\.$/,
    );
    await page.locator('table.failed a').click();
    await page.waitForURL(/\/report\.html$/);
    await page.screenshot({ path: join(shots, 'report-bias-failed.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.locator('[data-status]').first().textContent()).toBe('Failed');
    expect(await page.locator('header p.badbg').textContent()).toBe(
      `Failure reason: ${clarify.biasWithoutLabels.failureReason}`,
    );
    // Said once (the execution's message is "Failed: <reason>").
    const header = (await page.locator('header').textContent()) ?? '';
    expect(header.split(clarify.biasWithoutLabels.failureReason as string)).toHaveLength(2);
    await page.goBack();
    // The last point of the chart opens that hour's report.
    await chart.locator('circle.pt').last().click();
    await page.waitForURL(/\/report\.html$/);
    expect(await page.locator('h2', { hasText: 'Bias drift' }).count()).toBe(1);
    expect(await page.locator('header dd', { hasText: lastBias?.scheduledTime ?? '?' }).count()).toBe(1);

    // Attribution: NDCG over time against 0.9; its recent-executions table links to each hour's report.
    await page.goto(`${base}/m/credit-attribution/index.html`);
    await page.screenshot({ path: join(shots, 'monitor-attribution.png'), fullPage: true });
    expect(await horizontalOverflow(page)).toBe(0);
    const ndcgName = await page.locator('table.metrics tr[data-metric]').first().getAttribute('data-metric');
    expect(ndcgName).toMatch(/label0/);
    const ndcg = page.locator(`svg.metric[data-metric="${ndcgName}"]`);
    expect(await ndcg.locator('circle.pt').count()).toBe(4);
    expect(await ndcg.locator('path.thr title').textContent()).toMatch(/0\.9$/);
    expect(await page.locator('table.recent tbody tr').count()).toBe(4);
    await page.locator('table.recent a').first().click();
    await page.waitForURL(/\/report\.html$/);
    expect(await page.locator('main h3').textContent()).toMatch(/violated$/);
    expectClean(seen);
    await page.close();
  });

  it('the server answers GET/HEAD of its own pages only, with the security headers', async () => {
    const get = await fetch(`${base}/`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/`, { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    for (const path of [
      '/m/nope/',
      '/m/churn-data-quality/2026/01/15/14/statistics.json',
      '/m/churn-data-quality/2026/01/15/14/../../../../../baseline/statistics.json',
      '/m/churn-data-quality/..%2F..%2Fbaseline/report.html',
      '/m/churn-data-quality/9999/99/99/99/report.html',
      `/${encodeURIComponent(join(root, 'dq', 'baseline', 'statistics.json'))}`,
      '/etc/passwd',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toBe('not found\n');
    }
  });

  it('`dashboard --export` writes the same pages; they work from file://', async () => {
    const out = join(root, 'export');
    const result = await runCli(['dashboard', '--config', configFile, '--export', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(join(out, 'index.html'));
    const config = await loadMonitorsConfig(configFile);
    const again = await exportDashboard(storage, config, join(root, 'export2'));
    // 24 data-quality, 4 model-quality, 7 bias (one failed) and 4 attribution hours.
    expect(again.reports).toBe(39);
    expect(await readFile(join(out, 'm', 'churn-data-quality', 'index.html'), 'utf8')).toBe(
      await readFile(join(root, 'export2', 'm', 'churn-data-quality', 'index.html'), 'utf8'),
    );
    const { page, seen } = await visit(browser, `file://${join(out, 'index.html')}`);
    await page.locator('a[data-monitor="churn-data-quality"]').click();
    await page.waitForURL(/index\.html$/);
    // A heat-map cell links to that hour's report.
    await page.locator('svg.heat a').last().locator('rect').first().click();
    await page.waitForURL(/report\.html$/);
    expect(await page.locator('section.feature').count()).toBe(10);
    expectClean(seen);
    await page.close();
    console.log(`screenshots in ${shots}`);
  });
});
