// The AgeSecret operator's install: `capstan generate src/install.ts -o ../../deploy/agesecret` writes it.
import { defineInstall } from 'capstan/manifests';
import { createAgeSecretOperator, OPERATOR_NAME } from './operator.js';
import { ageSecretCrd } from './resource.js';
import { operatorOptions, parseSettings } from './settings.js';

export const install = defineInstall({
  name: OPERATOR_NAME,
  namespace: 'agesecret-system',
  image: 'agesecret-operator',
  args: ['--all-namespaces', '--default-identity-secret=agesecret-default-identity', '--concurrency=16', '--managed-keys-label'],
  env: { LOG_LEVEL: 'info' },
  crds: [ageSecretCrd],
  operator({ args, namespace }) {
    const parsed = parseSettings(args, { POD_NAMESPACE: namespace });
    if (parsed.help) throw new Error('the install args ask for --help');
    return createAgeSecretOperator(operatorOptions(parsed.settings)).operator;
  },
  notes: [
    'The operator-wide default identity (used by AgeSecrets without spec.ageSecretRef) is NOT generated here:',
    'a private key does not belong in git. Create it out of band, e.g.',
    '  age-secret keygen -o kubernetes.txt',
    '  kubectl -n agesecret-system create secret generic agesecret-default-identity --from-file=secretKey=kubernetes.txt',
  ],
});
