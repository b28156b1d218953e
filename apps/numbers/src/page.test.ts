// Unit tests of the page renderer: escaping, statuses, and no secret on the message pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderPage } from './page.js';

const options = { fileTitle: 'Cold Harbor', secretPath: '/app/secret.txt' };

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('numbers become escaped grid cells and the count is shown', () => {
  const { status, html } = renderPage({ kind: 'numbers', numbers: ['42', '<script>alert(1)</script>'], truncated: false }, options);
  assert.equal(status, 200);
  assert.match(html, /<span class="cell">42<\/span>/);
  assert.match(html, /<span class="cell">&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/span>/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /data-count="2"/);
  assert.match(html, /2 refined/);
  assert.doesNotMatch(html, /larger than the display/);
});

test('a truncated file says so', () => {
  const { html } = renderPage({ kind: 'numbers', numbers: ['1'], truncated: true }, options);
  assert.match(html, /larger than the display/);
});

test('missing, empty and unreadable files get clear pages with the path and a status', () => {
  const missing = renderPage({ kind: 'missing' }, options);
  assert.equal(missing.status, 503);
  assert.match(missing.html, /No numbers to refine/);
  assert.match(missing.html, /\/app\/secret\.txt/);
  const empty = renderPage({ kind: 'empty' }, options);
  assert.equal(empty.status, 503);
  assert.match(empty.html, /The file is empty/);
  const unreadable = renderPage({ kind: 'unreadable', code: 'EACCES' }, options);
  assert.equal(unreadable.status, 500);
  assert.match(unreadable.html, /EACCES/);
  for (const page of [missing, empty, unreadable]) assert.doesNotMatch(page.html, /class="cell"/);
});

test('the file title is escaped too', () => {
  const { html } = renderPage({ kind: 'empty' }, { ...options, fileTitle: '<b>Siena</b>' });
  assert.match(html, /&lt;b&gt;Siena&lt;\/b&gt;/);
});
