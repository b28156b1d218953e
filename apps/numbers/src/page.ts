// Renders the Macrodata Refinement page: the numbers grid, or a clear message when there is nothing to show.
import type { SecretRead } from './secret-file.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export interface PageOptions {
  /** Shown in the header like an MDR file name. */
  fileTitle: string;
  /** The path the app reads (shown on the message pages, to help whoever deploys it). */
  secretPath: string;
}

export interface RenderedPage {
  status: number;
  html: string;
}

export function renderPage(read: SecretRead, options: PageOptions): RenderedPage {
  switch (read.kind) {
    case 'numbers':
      return { status: 200, html: layout(options, numbersBody(read.numbers, read.truncated), `${read.numbers.length} refined`) };
    case 'missing':
      return {
        status: 503,
        html: layout(
          options,
          message('No numbers to refine', [
            `The secret file <code>${escapeHtml(options.secretPath)}</code> does not exist (yet).`,
            'Is the Secret created and mounted? Try <code>kubectl -n development get agesecrets,secrets</code>.',
          ]),
          'awaiting data',
        ),
      };
    case 'empty':
      return {
        status: 503,
        html: layout(
          options,
          message('The file is empty', [`<code>${escapeHtml(options.secretPath)}</code> holds no numbers.`]),
          'awaiting data',
        ),
      };
    case 'unreadable':
      return {
        status: 500,
        html: layout(
          options,
          message('The numbers cannot be read', [
            `Reading <code>${escapeHtml(options.secretPath)}</code> failed with ${escapeHtml(read.code)}.`,
          ]),
          'error',
        ),
      };
  }
}

function numbersBody(numbers: readonly string[], truncated: boolean): string {
  const cells = numbers.map((n) => `<span class="cell">${escapeHtml(n)}</span>`).join('');
  const note = truncated ? '<p class="status" role="note">The file is larger than the display; the rest is not shown.</p>' : '';
  return `<main class="grid" id="numbers" aria-label="numbers" data-count="${numbers.length}">${cells}</main>${note}`;
}

function message(title: string, lines: readonly string[]): string {
  return `<main class="message" id="message" role="status"><h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${l}</p>`).join('')}</main>`;
}

function layout(options: PageOptions, main: string, progress: string): string {
  const bins = ['01', '02', '03', '04', '05']
    .map((label) => `<div class="bin"><span class="label">${label}</span><div class="bar"><i></i></div></div>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Macrodata Refinement - ${escapeHtml(options.fileTitle)}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<div class="crt">
<header class="mdr-header">
<span class="file-name">${escapeHtml(options.fileTitle)}</span>
<div class="progress"><div class="track"><span class="fill"></span></div><span class="pct">${escapeHtml(progress)}</span></div>
<div class="lumon" aria-label="Lumon"><span class="ring"></span><span class="ring middle"></span><span class="ring inner"></span><span class="word">LUMON</span></div>
</header>
${main}
<footer class="bins">${bins}</footer>
<p class="coords">0x4E3A : 0x1F9C</p>
</div>
</body>
</html>
`;
}
