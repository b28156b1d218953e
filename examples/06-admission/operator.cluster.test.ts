// Runs example 06: overlapping and backwards Bookings refused at apply time, the owner recorded, warnings passed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient, ConflictError, silentLogger, type KubeObject } from 'capstan';
import { deleteNamespace, uniqueNamespace, waitUntil } from 'capstan/testing';
import { createBookingOperator, overlaps } from './operator.js';
import { Bookings, type Booking } from './resource.js';

const crds = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const VALIDATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' };
const MUTATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' };

test('overlaps: half-open spans', () => {
  const span = (from: string, until: string) => ({ from: `2030-01-01T${from}:00Z`, until: `2030-01-01T${until}:00Z` });
  assert.equal(overlaps(span('10:00', '11:00'), span('10:30', '12:00')), true);
  assert.equal(overlaps(span('10:00', '11:00'), span('11:00', '12:00')), false);
});

test('example 06: bookings refused at apply time when backwards or overlapping; the owner set by the mutating webhook', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  await client.create(crds, Bookings.crd as unknown as KubeObject).catch((e) => {
    if (!(e instanceof ConflictError)) throw e;
  });
  await waitUntil(() => client.list(Bookings.ref, { namespace: 'default' }).then(() => true), {
    message: 'the Booking API served',
    timeoutMs: 60_000,
  });
  const ns = await uniqueNamespace(client, 'ex06');
  t.after(() => deleteNamespace(client, ns));

  const op = createBookingOperator({ logger: silentLogger });
  const stop = new AbortController();
  // What `capstan run --dev` does: serve the webhooks to the local cluster with in-memory certificates.
  const configurationName = `booking-admission-${ns}`;
  const running = op.run({
    signal: stop.signal,
    kubeconfig: { path: cluster.kubeconfigPath },
    namespaces: [ns],
    admission: { endpoint: { local: true }, certificates: { ephemeral: true }, port: 0, configurationName },
  });
  t.after(async () => {
    stop.abort();
    await running;
    await client.delete(VALIDATING, { name: configurationName }).catch(() => undefined);
    await client.delete(MUTATING, { name: configurationName }).catch(() => undefined);
  });
  const booking = (name: string, from: string, until: string) =>
    Bookings.build({
      metadata: { name, namespace: ns },
      spec: { room: 'blue', from: `2030-01-01T${from}:00Z`, until: `2030-01-01T${until}:00Z` },
    });
  await waitUntil(
    async () =>
      client.create(Bookings.ref, booking('probe', '12:00', '11:00'), { namespace: ns, dryRun: true }).then(
        () => false,
        (e) => /must be after/.test(String(e)),
      ),
    { message: 'the webhook in use', timeoutMs: 60_000 },
  );

  const first = await client.create<Booking>(Bookings.ref, booking('morning', '09:00', '11:00'), { namespace: ns });
  // The admin client's user name, recorded by the mutating webhook.
  assert.ok(first.spec?.owner, 'owner set');
  await waitUntil(() => op.resource<Booking>(Bookings.ref).cached({ namespace: ns, name: 'morning' }) !== undefined, {
    message: 'morning cached',
  });
  await assert.rejects(
    client.create(Bookings.ref, booking('clash', '10:00', '12:00'), { namespace: ns }),
    /room blue is already booked by morning/,
  );
  await assert.rejects(client.create(Bookings.ref, booking('backwards', '12:00', '11:00'), { namespace: ns }), /must be after spec\.from/);
  await client.create(Bookings.ref, booking('afternoon', '11:00', '12:00'), { namespace: ns });
});
