// Real-browser test of the numbers page: headless Chromium (Debian package) driven by playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createNumbersApp, type NumbersApp } from './server.js';

const CHROMIUM = process.env.CAPSTAN_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/numbers/', import.meta.url));
const skip = process.env.CAPSTAN_SKIP_BROWSER === '1' ? 'CAPSTAN_SKIP_BROWSER=1: browser test of the numbers page skipped' : false;

const NUMBERS = [
  '04',
  '17',
  '29',
  '33',
  '41',
  '58',
  '62',
  '75',
  '86',
  '93',
  '07',
  '12',
  '26',
  '38',
  '49',
  '51',
  '64',
  '70',
  '88',
  '99',
  '3',
  '14',
  '159',
  '2653',
  '58979',
  '32',
  '384',
  '626',
  '43',
  '383',
  '27',
  '950',
  '288',
  '41971',
  '69',
  '399',
  '37',
  '510',
  '58',
  '209',
];
const HOSTILE = '<b>7</b>';

describe('numbers page in headless Chromium', { skip }, () => {
  let dir: string;
  let secret: string;
  let app: NumbersApp;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium chromium-driver) or set CAPSTAN_SKIP_BROWSER=1 to skip this test`,
      );
    }
    await mkdir(ARTIFACTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'numbers-browser-'));
    secret = join(dir, 'secret.txt');
    app = createNumbersApp({ port: 0, host: '127.0.0.1', secretFile: secret });
    await app.listen();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 120_000,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Shared 2-core machines can be slow; waiting longer costs nothing when they are not.
    page.setDefaultTimeout(60_000);
    // CSP violations and script errors show up here; a clean page has none.
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 503/.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the numbers from the file are on the page, escaped, in the MDR look', async () => {
    await writeFile(secret, `${NUMBERS.join(' ')}\n${HOSTILE}\n`);
    const response = await page.goto(app.url);
    assert.equal(response?.status(), 200);
    const cells = page.locator('#numbers .cell');
    assert.deepEqual(await cells.allTextContents(), [...NUMBERS, HOSTILE]);
    assert.equal(await page.locator('#numbers b').count(), 0, 'markup inside the secret must not become elements');
    assert.match(await page.title(), /Macrodata Refinement/);
    assert.equal(await page.locator('.lumon').isVisible(), true);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundImage);
    assert.match(background, /radial-gradient/, 'the stylesheet was applied (CSP allows it)');
    await page.screenshot({ path: join(ARTIFACTS, 'numbers-page.png'), animations: 'disabled' });
  });

  test('a changed secret shows after a reload', async () => {
    await writeFile(secret, '1111 2222 3333');
    await page.reload();
    assert.deepEqual(await page.locator('#numbers .cell').allTextContents(), ['1111', '2222', '3333']);
  });

  test('a missing file shows the clear page', async () => {
    await unlink(secret);
    const response = await page.reload();
    assert.equal(response?.status(), 503);
    assert.equal(await page.locator('#message h1').textContent(), 'No numbers to refine');
    assert.equal(await page.locator('.cell').count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, 'numbers-missing.png'), animations: 'disabled' });
  });

  test('the browser reported no errors (no CSP violations, no script errors)', () => {
    assert.deepEqual(problems, []);
  });
});
