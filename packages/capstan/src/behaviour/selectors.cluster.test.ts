// Behaviour: a label filter that every handler of a resource shares is sent to the API server (list and watch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useTestCluster } from '@capstan/localcluster';
import { waitUntil } from '../testing/index.js';
import { PRESENT } from '../index.js';
import { configMaps, harness } from './fixture.js';

test('a label-filtered resource lists and watches with a server-side labelSelector: other objects are never cached', async (t) => {
  const h = await harness(t, 'selectors');
  // Objects that exist before the operator starts (the list) and after (the watch).
  await h.client.create(configMaps, { metadata: { name: 'early-picked', namespace: h.ns, labels: { pick: 'yes' } } }, { namespace: h.ns });
  await h.client.create(configMaps, { metadata: { name: 'early-other', namespace: h.ns } }, { namespace: h.ns });
  const seen: string[] = [];
  let handle: { cached(key: { namespace?: string; name: string }): unknown } | undefined;
  await h.start((o) => {
    handle = o.resource(configMaps);
    o.resource(configMaps).on.event((ctx) => void seen.push(ctx.name), { labels: { pick: PRESENT } });
  });
  await h.client.create(configMaps, { metadata: { name: 'late-other', namespace: h.ns } }, { namespace: h.ns });
  await h.client.create(configMaps, { metadata: { name: 'late-picked', namespace: h.ns, labels: { pick: 'yes' } } }, { namespace: h.ns });
  await waitUntil(() => seen.includes('early-picked') && seen.includes('late-picked'), { message: 'both labelled ConfigMaps handled' });
  const cached = (name: string) => handle?.cached({ namespace: h.ns, name }) !== undefined;
  assert.equal(cached('early-picked'), true);
  assert.equal(cached('late-picked'), true);
  // In-process filtering would have cached these too: the server never sent them.
  assert.equal(cached('early-other'), false, 'an unlabelled object from the list');
  assert.equal(cached('late-other'), false, 'an unlabelled object from the watch (created before the labelled one)');
  assert.equal(cached('kube-root-ca.crt'), false);
  assert.ok(!seen.includes('early-other') && !seen.includes('late-other'));

  // The API server's own audit log (a local cluster logs every list and watch): each request for this
  // namespace's ConfigMaps carried the selector.
  const auditLog = (await useTestCluster()).auditLogPath;
  if (!auditLog) return t.diagnostic('an existing cluster: no audit log to read');
  const path = `/api/v1/namespaces/${h.ns}/configmaps`;
  const requests = await waitUntil(
    () => {
      const found = readFileSync(auditLog, 'utf8')
        .split('\n')
        .filter((line) => line.includes(path))
        .map((line) => JSON.parse(line) as { verb: string; requestURI: string })
        .filter((e) => e.verb === 'list' || e.verb === 'watch');
      return found.length > 0 ? found : undefined;
    },
    { message: "the operator's list/watch of ConfigMaps in the audit log" },
  );
  for (const r of requests) assert.match(decodeURIComponent(r.requestURI), /labelSelector=pick(&|$)/, r.requestURI);
});
