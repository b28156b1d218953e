// `capstan cluster up | down | status | kubeconfig`: a background local cluster per name, state in ~/.cache/capstan/clusters/<name>.
export async function runClusterCommand(_argv: string[]): Promise<number> {
  console.error('capstan cluster: not implemented yet');
  return 2;
}
