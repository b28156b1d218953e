// The legacy-handshake operator's install: `capstan generate` turns it into deploy/legacy-handshake.
import { defineInstall } from 'capstan/manifests';
import { createHandshakeOperator, OPERATOR_NAME } from './operator.js';
import { operatorOptions, parseSettings } from './settings.js';

export const install = defineInstall({
  name: OPERATOR_NAME,
  namespace: 'legacy-operator-system',
  image: 'legacy-handshake-operator',
  args: [
    '--all-namespaces',
    '--suffix-secret=legacy-operator-system/legacy-handshake-suffix:suffix',
    '--concurrency=64',
    '--timeout-ms=5000',
  ],
  env: { LOG_LEVEL: 'info' },
  operator({ args, namespace }) {
    const parsed = parseSettings(args, { POD_NAMESPACE: namespace });
    if (parsed.help) throw new Error('the install args ask for --help');
    return createHandshakeOperator(operatorOptions(parsed.settings));
  },
  notes: [
    'The suffix ("the half only operations knows"): the secretGenerator below holds the tutorial\'s public demo',
    'suffix. For anything real, delete the generator (in src/install.ts) and create the Secret out of band:',
    "  kubectl -n legacy-operator-system create secret generic legacy-handshake-suffix --from-literal=suffix='...'",
    "Its name is fixed (no hash suffix): the Role's resourceNames and --suffix-secret name it; the operator",
    're-reads it when it changes, no restart needed.',
  ],
  kustomization: {
    secretGenerator: [
      {
        name: 'legacy-handshake-suffix',
        literals: ['suffix=-acknowledge'],
        options: { disableNameSuffixHash: true, labels: { 'app.kubernetes.io/component': 'handshake-suffix' } },
      },
    ],
  },
});
