// The legacy half of the demo (seed 003): legacy-mock waits uninitialised until the operator's handshake.
import { join } from 'node:path';
import type { DemoContext } from './context.js';
import { httpGet } from './http-get.js';
import { HANDSHAKE_OPERATOR, startOperator, type RunningOperator } from './operators.js';
import { isReady, livePods, podCondition, podState, type Pod } from './pods.js';
import { NotYet, waitFor } from './waiting.js';

export const LEGACY_NAMESPACE = 'legacy-automation-demo';
const LABELS = { app: 'legacy-mock' };
const GATE = 'secret-handshake.pyvo.io/done';
const DONE_ANNOTATION = 'secret-handshake-done';

const urlOf = (pod: Pod) => `http://${pod.status?.podIP}:3000/`;

/** Deploys legacy-mock while no operator runs, so the "before" is really seen: 503 Uninitialized, not Ready. */
export async function legacyBeforeStep(ctx: DemoContext): Promise<Pod> {
  const { narrator, kubectl } = ctx;
  await kubectl.applyKustomization(join(ctx.repoRoot, 'deploy/legacy-mock'));
  narrator.look(kubectl.command('apply -k deploy/legacy-mock'));
  const { pod, answer } = await waitFor(
    'legacy-mock to run and answer on its pod IP',
    async () => {
      const pods = await livePods(ctx.api, LEGACY_NAMESPACE, LABELS, ctx.signal);
      const running = pods.find((p) => p.status?.phase === 'Running' && p.status.podIP);
      if (!running) return new NotYet(pods[0] ? podState(pods[0]) : 'no pod yet');
      return { pod: running, answer: await httpGet(urlOf(running), { signal: ctx.signal }) };
    },
    ctx.wait,
  );
  const uninitialised = answer.status === 503 && answer.body.includes('Uninitialized');
  if (uninitialised && !isReady(pod))
    ctx.checks.pass('legacy-before', `${urlOf(pod)}: ${answer.status} ${answer.body.trim()}; Ready=False`);
  else ctx.checks.fail('legacy-before', `${urlOf(pod)}: ${answer.status} ${answer.body.trim().slice(0, 40)}; Ready=${isReady(pod)}`);
  narrator.say(`legacy-mock runs but needs its secret handshake: it answers ${answer.status} "${answer.body.trim()}",`);
  narrator.say(`and its readiness gate ${GATE} keeps it out of its Service:`);
  narrator.look(`curl -i ${urlOf(pod)}`);
  narrator.look(kubectl.command(`get pods -n ${LEGACY_NAMESPACE} -o wide   # READINESS GATES 0/1`));
  return pod;
}

export async function handshakeStep(ctx: DemoContext): Promise<RunningOperator> {
  const { narrator, kubectl } = ctx;
  const operator = await startOperator(ctx, HANDSHAKE_OPERATOR);
  ctx.checks.pass('handshake-operator', operator.user);
  narrator.done(`${HANDSHAKE_OPERATOR.title} runs as ${operator.user}:`);
  narrator.say(operator.how);
  narrator.look(`tail -f ${operator.logFile}`);

  const pod = await waitFor(
    'the legacy-mock pod to be handshaken and Ready',
    async () => {
      const pods = await livePods(ctx.api, LEGACY_NAMESPACE, LABELS, ctx.signal);
      const done = pods.find((p) => p.metadata.annotations?.[DONE_ANNOTATION] && isReady(p));
      if (done) return done;
      const p = pods[0];
      return new NotYet(
        p
          ? `${podState(p)}; annotated=${Boolean(p.metadata.annotations?.[DONE_ANNOTATION])}; gate=${podCondition(p, GATE)?.status ?? 'unset'}`
          : 'no pod',
      );
    },
    ctx.wait,
  );
  ctx.checks.pass('legacy-annotated', `${pod.metadata.name}: ${DONE_ANNOTATION}=${pod.metadata.annotations?.[DONE_ANNOTATION]}`);
  const gate = podCondition(pod, GATE);
  if (gate?.status === 'True') ctx.checks.pass('legacy-ready', `${GATE}=True (${gate.reason ?? ''}), Ready=True`);
  else ctx.checks.fail('legacy-ready', `Ready=True but ${GATE}=${gate?.status ?? 'unset'}`);

  const answer = await waitFor(
    `${urlOf(pod)} to answer "It works!"`,
    async () => {
      const a = await httpGet(urlOf(pod), { signal: ctx.signal });
      return a.status === 200 && a.body.includes('It works!') ? a : new NotYet(`${a.status} ${a.body.trim().slice(0, 40)}`);
    },
    ctx.wait,
  );
  ctx.checks.pass('legacy-works', `${urlOf(pod)}: ${answer.status} ${answer.body.trim()}`);
  narrator.done(`the operator did the handshake (GET /internal/key, + suffix, POST /internal/secret): "${answer.body.trim()}"`);
  narrator.look(`curl -i ${urlOf(pod)}`);
  narrator.look(kubectl.command(`get pod ${pod.metadata.name} -n ${LEGACY_NAMESPACE} -o jsonpath='{.metadata.annotations}'`));
  narrator.look(kubectl.command(`get pods -n ${LEGACY_NAMESPACE} -o wide   # READINESS GATES 1/1`));
  return operator;
}
