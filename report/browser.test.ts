// The HTML report in a real browser (Debian chromium via playwright-core), from a run
// with a deliberately failing implementation (report/testdata/wp-blind-impl.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, type ReportJson } from './index.ts';
import { launchChromium, type LaunchedBrowser } from './chromium.ts';
import { scaleResults } from './testdata/scale.ts';
import { makeFixture, ROOT, type Fixture } from './testdata/setup.ts';

let fx: Fixture;
let browser: LaunchedBrowser;
let page: Page;
let report: ReportJson;
let htmlUrl: string;
let junitText: string;
const problems: string[] = [];

async function open(hash = ''): Promise<void> {
  await page.goto(htmlUrl + hash);
  await page.waitForSelector('body[data-ready="true"]');
}

/** Numbers in a text, thousands separators removed. */
const numbers = (text: string): number[] => [...text.replace(/,/g, '').matchAll(/\d+/g)].map((m) => Number(m[0]));

beforeAll(async () => {
  fx = makeFixture('browser');
  const paths = await writeReport(fx.shards, {
    root: ROOT, outDir: fx.dir.slice(ROOT.length + 1), coverageDir: fx.coverageDir, benchFile: fx.benchFile,
  });
  report = JSON.parse(readFileSync(paths.jsonPath, 'utf8')) as ReportJson;
  junitText = readFileSync(paths.junitPath, 'utf8');
  htmlUrl = pathToFileURL(paths.htmlPath).href;
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`);
  });
});

afterEach(() => {
  // Any script error or network request during a test fails it.
  expect(problems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
});

describe('the HTML report in Chromium', () => {
  it('opens from file:// with no network request and no script error', async () => {
    await open();
    expect(await page.title()).toContain('2 implementations');
  });

  it('shows summary counts equal to the results files', async () => {
    await open();
    for (const [i, run] of report.runs.entries()) {
      const card = page.locator(`article.run[data-run="${i}"]`);
      await expect.poll(() => card.count()).toBe(1);
      for (const v of ['pass', 'fail', 'unsupported', 'error'] as const) {
        const text = await card.locator(`[data-count="${v}"]`).innerText();
        const fromFiles = fx.results.runs[i]!.counts[v];
        expect(numbers(text)[0], `${run.impl.name} ${v}`).toBe(fromFiles);
        expect(text).toContain(v);
      }
    }
    await page.screenshot({ path: join(ROOT, 'out', 'report-summary.png') });
  });

  it('filters the case list by verdict', async () => {
    await open('#cases');
    await page.selectOption('#f-verdict', 'fail');
    const fails = report.cases.filter((c) => c.verdict === 'fail').length;
    await expect.poll(() => page.locator('#case-list tbody tr').count()).toBe(fails);
    const verdicts = await page.locator('#case-list tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-verdict')));
    expect(new Set(verdicts)).toEqual(new Set(['fail']));
    expect(numbers(await page.locator('#case-count').innerText())).toContain(fails);
    expect(page.url()).toContain('verdict=fail');
  });

  it('filters by clause (exact id and topic prefix) and searches by id', async () => {
    const fail = report.cases.find((c) => c.verdict === 'fail')!;
    const clause = fail.detail!.diff!.find((d) => d.clause !== undefined)!.clause!;
    await open('#cases');
    await page.fill('#f-clause', clause);
    await page.dispatchEvent('#f-clause', 'change');
    const withClause = report.cases.filter((c) => c.clauses.includes(clause)).length;
    await expect.poll(async () => numbers(await page.locator('#case-count').innerText())).toContain(withClause);
    const topic = clause.split('.').slice(0, 2).join('.');
    await page.fill('#f-clause', topic);
    await page.dispatchEvent('#f-clause', 'change');
    const withTopic = report.cases.filter((c) => c.clauses.some((id) => id.startsWith(topic + '.'))).length;
    await expect.poll(async () => numbers(await page.locator('#case-count').innerText())).toContain(withTopic);
    await page.click('#f-reset');
    await page.fill('#f-q', fail.id);
    await page.dispatchEvent('#f-q', 'change');
    await expect.poll(() => page.locator('#case-list tbody tr').count()).toBe(report.runs.length);
  });

  it('a clause matrix cell links to that clause\'s failing cases', async () => {
    await open('#clauses');
    const failing = report.clauses.find((c) => c.cells[1]!.fail > 0)!;
    await page.locator(`tr[data-clause="${failing.id}"] td.cell[data-run="1"] a`).click();
    await expect.poll(() => page.locator('#case-list tbody tr').count()).toBe(failing.cells[1]!.fail);
    expect(page.url()).toContain(`clause=${failing.id}`);
    await page.selectOption('#matrix-show', 'uncovered');
    const uncovered = report.clauses.filter((c) => c.uncovered.length > 0).length;
    expect(numbers(await page.locator('#matrix-count').innerText())[0]).toBe(uncovered);
  });

  it('shows the failing case: diff, permitted vs observed, walk path, trace, replay, vector line', async () => {
    const fail = report.cases.find((c) => c.verdict === 'fail' && c.run === 1)!;
    await open(`#cases?verdict=fail`);
    await page.locator(`#case-list tbody tr[data-id="${fail.id}"]`).first().click();
    await page.waitForSelector('#case:not([hidden]) #case-diff');
    const diffRows = await page.locator('#case-diff tbody tr').allInnerTexts();
    expect(diffRows.length).toBe(fail.detail!.diff!.length);
    for (const [i, d] of fail.detail!.diff!.entries()) expect(diffRows[i]).toContain(d.path);
    const caseText = await page.locator('#case').innerText();
    expect(caseText).toContain('✗ differs');
    expect(caseText).toContain('PML4 table');
    expect(caseText).toContain('PT table');
    expect(caseText).toContain('WP=1');
    expect(caseText).toContain("Model's walk trace");
    expect(await page.locator('#copy-replay').innerText()).toContain('x64spec run');
    expect(await page.locator('#copy-vector').innerText()).toBe(fail.detail!.vectorLine);
    await page.locator('#case').screenshot({ path: join(ROOT, 'out', 'report-case.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('#case').screenshot({ path: join(ROOT, 'out', 'report-case-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('reads in light and dark mode (prefers-color-scheme)', async () => {
    await open();
    const bg = () => page.evaluate('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await bg();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await bg();
    expect(light).not.toBe(dark);
    await page.screenshot({ path: join(ROOT, 'out', 'report-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('draws benchmarks as SVG plots with values and units, and shows coverage with a link', async () => {
    await open('#benchmarks');
    expect(await page.locator('#benchmarks svg.chart').count()).toBe(2);
    const labels = await page.locator('#benchmarks svg.chart text.value').allTextContents();
    expect(labels.some((l) => l.includes('walks/s'))).toBe(true);
    expect(labels.some((l) => l.includes('ns'))).toBe(true);
    expect(labels.filter((l) => l.includes('✗'))).toHaveLength(1);
    await page.locator('#benchmarks').screenshot({ path: join(ROOT, 'out', 'report-benchmarks.png') });
    const link = page.locator('#coverage a[href$="coverage/index.html"]');
    expect(await link.count()).toBe(1);
    expect(await page.locator('#coverage').innerText()).toContain('96.7 %');
    await page.locator('#coverage').screenshot({ path: join(ROOT, 'out', 'report-coverage.png') });
  });

  it('junit.xml parses as XML and has the Jenkins/Ant JUnit shape', async () => {
    const checker = readFileSync(join(ROOT, 'report/testdata/junit-shape.js'), 'utf8');
    const shape = (await page.evaluate(`${checker}\ncheckJunitShape(${JSON.stringify(junitText)})`)) as { problems: string[]; tests: number };
    expect(shape.problems).toEqual([]);
    expect(shape.tests).toBe(report.cases.length);
    // The checker itself notices a broken file: a failure dropped from its testcase.
    const broken = junitText.replace(/<failure [^>]*>[^<]*<\/failure>/, '');
    const brokenShape = (await page.evaluate(`${checker}\ncheckJunitShape(${JSON.stringify(broken)})`)) as { problems: string[] };
    expect(brokenShape.problems.some((p) => p.includes('counts'))).toBe(true);
    const fail = report.cases.find((c) => c.verdict === 'fail')!;
    expect(junitText).toContain(`<failure message="${fail.detail!.diff![0]!.path}: expected`);
  });
});

describe('a report with more than 20,000 cases', () => {
  it('renders one page of the list, filters and searches the whole set', async () => {
    const big = scaleResults(fx.results, 13);
    const total = big.runs.reduce((n, r) => n + r.cases.length, 0);
    expect(total).toBeGreaterThanOrEqual(20_000);
    const file = join(fx.dir, 'big-results.json');
    writeFileSync(file, JSON.stringify(big));
    const paths = await writeReport([file.slice(ROOT.length + 1)], { root: ROOT, outDir: join(fx.dir, 'big').slice(ROOT.length + 1) });
    await page.goto(pathToFileURL(paths.htmlPath).href + '#cases');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#case-list tbody tr').count()).toBe(100);
    expect(numbers(await page.locator('#case-count').innerText())).toContain(total);
    await page.selectOption('#f-verdict', 'fail');
    const fails = big.runs.reduce((n, r) => n + r.counts.fail, 0);
    await expect.poll(() => page.locator('#case-list tbody tr').count()).toBe(Math.min(100, fails));
    await page.click('#f-reset');
    await page.click('#pg-last');
    expect(await page.locator('#page-info').innerText()).toBe(`page ${Math.ceil(total / 100)} of ${Math.ceil(total / 100)}`);
    const someId = big.runs[1]!.cases[big.runs[1]!.cases.length - 1]!.id;
    await page.fill('#f-q', someId);
    await page.dispatchEvent('#f-q', 'change');
    await expect.poll(() => page.locator('#case-list tbody tr').count()).toBe(2);
  });
});

describe('odd results', () => {
  it('shows markup in titles and reasons as text, and renders a results file with no run', async () => {
    const hostile = JSON.parse(JSON.stringify(fx.results)) as typeof fx.results & { runs: { cases: { title: string; reason?: string }[]; stderr?: string }[] };
    const title = '</script><img src=x onerror="document.body.dataset.owned=1"> & <b>bold</b>';
    hostile.runs[1]!.cases[0]!.title = title;
    hostile.runs[1]!.cases[0]!.reason = '<i>reason</i>\u0001';
    hostile.runs[1]!.stderr = 'bell \u0007 and </system-err>';
    const file = join(fx.dir, 'hostile.json');
    writeFileSync(file, JSON.stringify(hostile));
    const paths = await writeReport([file.slice(ROOT.length + 1)], { root: ROOT, outDir: join(fx.dir, 'hostile').slice(ROOT.length + 1) });
    await page.goto(pathToFileURL(paths.htmlPath).href + `#cases?q=${encodeURIComponent(hostile.runs[1]!.cases[0]!.id)}`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.evaluate('document.body.dataset.owned')).toBeUndefined();
    expect(await page.locator('#case-list').innerText()).toContain(title);
    const junit = readFileSync(paths.junitPath, 'utf8');
    const checker = readFileSync(join(ROOT, 'report/testdata/junit-shape.js'), 'utf8');
    const shape = (await page.evaluate(`${checker}\ncheckJunitShape(${JSON.stringify(junit)})`)) as { problems: string[] };
    expect(shape.problems).toEqual([]);

    // A failure outside paging: expectation and observation side by side, differences marked.
    const other = JSON.parse(JSON.stringify(fx.results)) as { runs: { cases: Record<string, unknown>[] }[] };
    Object.assign(other.runs[1]!.cases[1]!, {
      suite: 'elf', verdict: 'fail', input: { elf: 'f0VMRg==' },
      expect: { outcome: 'loaded', pages: [{ va: '0x1000', writable: true }] },
      observed: { outcome: 'loaded', pages: [{ va: '0x1000', writable: false }] },
      diff: [{ path: '$.pages[0].writable', expected: true, observed: false }],
    });
    const otherFile = join(fx.dir, 'other-suite.json');
    writeFileSync(otherFile, JSON.stringify(other));
    const otherPaths = await writeReport([otherFile.slice(ROOT.length + 1)], { root: ROOT, outDir: join(fx.dir, 'other').slice(ROOT.length + 1) });
    await page.goto(pathToFileURL(otherPaths.htmlPath).href + `#case?run=1&id=${other.runs[1]!.cases[1]!.id as string}`);
    await page.waitForSelector('#case:not([hidden]) #case-diff');
    expect(await page.locator('#case mark.jd').allInnerTexts()).toEqual(['✗ true', '✗ false']);

    const empty = { ...fx.results, runs: [] };
    const emptyFile = join(fx.dir, 'empty.json');
    writeFileSync(emptyFile, JSON.stringify(empty));
    const emptyPaths = await writeReport([emptyFile.slice(ROOT.length + 1)], { root: ROOT, outDir: join(fx.dir, 'empty').slice(ROOT.length + 1) });
    await page.goto(pathToFileURL(emptyPaths.htmlPath).href);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.locator('#summary').innerText()).toContain('no implementation run');
    expect(await page.locator('#case-count').innerText()).toContain('0 cases');
  });
});
