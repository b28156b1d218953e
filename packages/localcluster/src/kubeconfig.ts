// Renders kubeconfig files (YAML) for the admin, minted users and service accounts.
export interface KubeconfigSpec {
  server: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  ca: string;
  token: string;
  /** Used for the cluster, user and context names. */
  name: string;
  user?: string;
  namespace?: string;
}

const quote = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML scalar

export function renderKubeconfig(spec: KubeconfigSpec): string {
  const user = spec.user ?? `${spec.name}-admin`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${quote(spec.name)}`,
    '  cluster:',
    `    server: ${quote(spec.server)}`,
    `    certificate-authority-data: ${Buffer.from(spec.ca).toString('base64')}`,
    'users:',
    `- name: ${quote(user)}`,
    '  user:',
    `    token: ${quote(spec.token)}`,
    'contexts:',
    `- name: ${quote(spec.name)}`,
    '  context:',
    `    cluster: ${quote(spec.name)}`,
    `    user: ${quote(user)}`,
    ...(spec.namespace ? [`    namespace: ${quote(spec.namespace)}`] : []),
    `current-context: ${quote(spec.name)}`,
    '',
  ].join('\n');
}
