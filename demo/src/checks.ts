// The outcomes `--once` verifies: one named check each, PASS/FAIL with a short detail, and the summary.
export type CheckState = 'PASS' | 'FAIL' | 'SKIP';

export interface CheckResult {
  id: string;
  title: string;
  state: CheckState;
  detail: string;
}

/** Every check the demo makes, in order, so that the summary always lists all of them. */
export const CHECKS = [
  ['cluster', 'local cluster up (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet simulator)'],
  ['install', "CRD agesecrets.pyvo.io established; operators' ServiceAccounts and RBAC installed"],
  ['agesecret-operator', 'AgeSecret operator running as its ServiceAccount'],
  [
    'encrypt',
    "development opted into cluster-held keys; the AgeSecret encrypted for the namespace's published recipient and the developer's own (no plaintext in the manifest)",
  ],
  ['agesecret-ready', 'AgeSecret development/my-secret Ready=True'],
  ['secret-value', 'Secret development/macrodata-numbers holds the numbers (key numbers)'],
  ['numbers-page', 'numbers app on its pod IP (:5000) shows the numbers'],
  ['legacy-before', 'legacy-mock before the handshake: 503 Uninitialized, pod not Ready'],
  ['handshake-operator', 'legacy-handshake operator running as its ServiceAccount'],
  ['legacy-works', 'legacy-mock on its pod IP (:3000) answers "It works!"'],
  ['legacy-annotated', 'legacy-mock pod annotated secret-handshake-done'],
  ['legacy-ready', 'legacy-mock pod Ready through its readiness gate secret-handshake.pyvo.io/done'],
  ['no-leak', 'the plaintext appears in no operator log, AgeSecret status or Event'],
] as const;

export type CheckId = (typeof CHECKS)[number][0];

export class CheckList {
  private readonly results = new Map<CheckId, CheckResult>();

  pass(id: CheckId, detail: string): void {
    this.set(id, 'PASS', detail);
  }

  fail(id: CheckId, detail: string): void {
    this.set(id, 'FAIL', detail);
  }

  private set(id: CheckId, state: CheckState, detail: string): void {
    const title = CHECKS.find(([i]) => i === id)?.[1] ?? id;
    this.results.set(id, { id, title, state, detail });
  }

  /** All checks in order; the ones never reached are SKIP (a failure for the exit code). */
  all(): CheckResult[] {
    return CHECKS.map(([id, title]) => this.results.get(id) ?? { id, title, state: 'SKIP' as const, detail: 'not reached' });
  }

  get ok(): boolean {
    return this.all().every((r) => r.state === 'PASS');
  }
}

/** One line per check: a multi-line detail (an error with a log tail) is folded and cut; the full text was narrated. */
const oneLine = (text: string) => {
  const flat = text.replace(/\s*\n\s*/g, ' | ');
  return flat.length > 240 ? `${flat.slice(0, 237)}...` : flat;
};

export function formatSummary(results: CheckResult[]): string {
  const lines = results.map((r) => `${r.state === 'PASS' ? 'PASS' : 'FAIL'}  ${r.title}${r.detail ? ` (${oneLine(r.detail)})` : ''}`);
  const passed = results.filter((r) => r.state === 'PASS').length;
  return [...lines, `${passed}/${results.length} checks passed`].join('\n');
}
