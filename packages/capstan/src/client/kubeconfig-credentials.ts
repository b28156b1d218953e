// Credentials from a selected kubeconfig cluster and user: CA, client certificate, token, token file, basic auth.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError } from '../structs/errors.js';
import { basicAuthHeader, refreshingHeaders, serverUrl, type Credentials, type RefreshOptions } from './credentials.js';
import type { KubeconfigSelection } from './kubeconfig-file.js';

export interface KubeconfigCredentialsOptions extends RefreshOptions {
  /** Directory relative file paths resolve against (the kubeconfig file's); default: the working directory. */
  dir?: string | undefined;
}

/** `-data` (base64) wins over the file, as in kubectl. Errors name the field and path, never the content. */
async function material(
  data: string | undefined,
  file: string | undefined,
  field: string,
  dir: string | undefined,
): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, 'base64');
  if (!file) return undefined;
  const path = dir && !isAbsolute(file) ? resolve(dir, file) : file;
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigurationError(`cannot read the kubeconfig's ${field} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: error,
    });
  }
}

export async function credentialsFromSelection(
  selection: KubeconfigSelection,
  options: KubeconfigCredentialsOptions = {},
): Promise<Credentials> {
  const { cluster, user } = selection;
  const { dir } = options;
  const server = serverUrl(cluster.server, `the kubeconfig's server URL of context "${selection.context}"`);
  const [ca, cert, key] = await Promise.all([
    material(cluster['certificate-authority-data'], cluster['certificate-authority'], 'certificate-authority', dir),
    material(user['client-certificate-data'], user['client-certificate'], 'client-certificate', dir),
    material(user['client-key-data'], user['client-key'], 'client-key', dir),
  ]);
  if (!!cert !== !!key)
    throw new ConfigurationError(
      `the kubeconfig's user of context "${selection.context}" has a client certificate without its key, or a key without its certificate`,
    );
  const fixed: Record<string, string> = {};
  if (user.username !== undefined || user.password !== undefined)
    fixed.Authorization = basicAuthHeader(user.username ?? '', user.password ?? '');
  if (user.token) fixed.Authorization = `Bearer ${user.token}`;
  if (user.as) fixed['Impersonate-User'] = user.as;
  const tls = {
    ca,
    cert,
    key,
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    servername: cluster['tls-server-name'] || undefined,
  };
  const tokenFile = user.tokenFile;
  if (!tokenFile) return { server, tls, headers: async () => fixed };
  // client-go re-reads tokenFile periodically and prefers it over `token`.
  const read = async () => ({
    ...fixed,
    Authorization: `Bearer ${(await material(undefined, tokenFile, 'tokenFile', dir))!.toString('utf8').trim()}`,
  });
  return { server, tls, headers: await refreshingHeaders(read, options) };
}
