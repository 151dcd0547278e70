/**
 * Report benchmarks: how long `writeReport` takes for a run of more than 20,000 cases,
 * how big the page gets, and how fast it is in Chromium (open to first render, and a
 * verdict filter over every case). The speed the issue asks for ("fast with ≥ 20,000
 * cases") is checked here, never in a timed unit test.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../../report/chromium.ts';
import { writeReport } from '../../report/index.ts';
import { scaleResults } from '../../report/testdata/scale.ts';
import { makeFixture, ROOT } from '../../report/testdata/setup.ts';
import type { Benchmark, BenchResult } from './types.ts';

async function measure(): Promise<BenchResult[]> {
  const fx = makeFixture('bench');
  const big = scaleResults(fx.results, 13);
  const cases = big.runs.reduce((n, r) => n + r.cases.length, 0);
  const file = join(fx.dir, 'big-results.json');
  writeFileSync(file, JSON.stringify(big));
  const t0 = performance.now();
  const paths = await writeReport([file], { root: ROOT, outDir: join(fx.dir, 'big') });
  const writeMs = performance.now() - t0;
  const htmlMiB = statSync(paths.htmlPath).size / 2 ** 20;
  const results: BenchResult[] = [
    { name: `writeReport, ${cases.toLocaleString('en-US')} cases`, value: Math.round(writeMs), unit: 'ms', target: { op: '<=', value: 10_000 } },
    { name: `report.html size, ${cases.toLocaleString('en-US')} cases`, value: Math.round(htmlMiB * 10) / 10, unit: 'MiB', target: { op: '<=', value: 32 } },
  ];
  let browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    return [...results, { name: 'open in Chromium', value: Number.NaN, unit: 'ms', note: (err as Error).message }];
  }
  try {
    const page = await browser.context.newPage();
    const t1 = performance.now();
    await page.goto(pathToFileURL(paths.htmlPath).href);
    await page.waitForSelector('body[data-ready="true"]');
    const openMs = performance.now() - t1;
    // The list re-renders synchronously on 'change', so this times filter + render.
    const filterMs = (await page.evaluate(`(() => {
      const select = document.querySelector('#f-verdict');
      const start = performance.now();
      select.value = 'fail';
      select.dispatchEvent(new Event('change'));
      return performance.now() - start;
    })()`)) as number;
    results.push(
      { name: 'open to first render in Chromium', value: Math.round(openMs), unit: 'ms', target: { op: '<=', value: 3000 } },
      { name: 'filter every case by verdict', value: Math.round(filterMs * 10) / 10, unit: 'ms', target: { op: '<=', value: 200 } },
    );
  } finally {
    await browser.close();
  }
  return results;
}

export const benchmarks: Benchmark[] = [{ name: 'report at scale', group: 'report', run: measure }];
