// Usage errors (exit 2), exit codes and the --help texts with examples.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
/** Bad input, a crypto failure (wrong key, not encrypted, malformed) or a failed verify. */
export const EXIT_FAILURE = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;
/** status: some AgeSecret still needs a retiring key (run updatekeys). */
export const EXIT_NEEDS_UPDATEKEYS = 3;
/** status: none is known to need a retiring key, but for some it cannot be told. */
export const EXIT_KEYS_UNKNOWN = 4;
/** The namespace publishes no recipients (not opted in to cluster-held keys, or not the operator's ConfigMap). */
export const EXIT_NOT_PUBLISHED = 5;
/** The API server refused the request (RBAC): the message names the permission needed. */
export const EXIT_FORBIDDEN = 6;
/** The API server could not be reached (connection refused, DNS, TLS, timeout). */
export const EXIT_UNREACHABLE = 7;
/** The kubeconfig cannot be used (missing file, unknown context) or its credentials were rejected (401). */
export const EXIT_CREDENTIALS = 8;

export class UsageError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UsageError';
  }
}

/** node:util parseArgs with its errors turned into UsageErrors. */
type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

export function parseCommandArgs<T extends Options>(args: string[], options: T, allowPositionals = false): Parsed<T> {
  try {
    return parseArgs({ args, options, allowPositionals: allowPositionals as true, strict: true });
  } catch (cause) {
    throw new UsageError((cause as Error).message.split('\n')[0] ?? 'invalid arguments', { cause });
  }
}

export const MAIN_HELP = `age-secret: age-encrypted Kubernetes secrets that are safe to commit to git (AgeSecret, pyvo.io/v1)

Usage: age-secret <command> [options]      (also: kubectl age-secret <command>)

Commands:
  keygen       create an identity (private key) file and print its recipient (public key)
  encrypt      encrypt the values (spec.secret, spec.data) of AgeSecret manifests to ENC[...]
  decrypt      print AgeSecret manifests with their values decrypted
  edit         decrypt into $EDITOR, re-encrypt on save
  updatekeys   re-encrypt every value for a new set of recipients
  verify       check every value is encrypted (and, with -i, that it decrypts)
  from-secret  turn a plain kind: Secret manifest into an encrypted AgeSecret
  recipients   print the recipients a namespace publishes (cluster-held keys), from the cluster
  status       list a namespace's AgeSecrets: Ready, and which still need a retiring key

Run 'age-secret <command> --help' for the options of a command.

Workflow:
  age-secret keygen -o local.txt                 # for developers
  age-secret keygen -o kubernetes.txt            # for the operator
  age-secret encrypt --file age.secret.yaml -r age1...local -r age1...kubernetes > age.secret.enc.yaml
  kubectl create secret generic namespace-secret -n development --from-file=secretKey=kubernetes.txt
  kubectl apply -n development -f age.secret.enc.yaml
  age-secret verify --file age.secret.enc.yaml -i local.txt

With cluster-held keys the namespace publishes its recipients; developers never copy the cluster's key:
  age-secret recipients -n development
  age-secret encrypt -n development --file age.secret.yaml -r age1...local > age.secret.enc.yaml

Exit codes: 0 success, 1 invalid input or a crypto/verify failure, 2 usage error; with the cluster:
  3 status: some AgeSecret needs a retiring key     4 status: for some it cannot be told
  5 the namespace publishes no recipients           6 forbidden (the message names the permission)
  7 the API server cannot be reached                8 the kubeconfig cannot be used or was rejected
Identities: -i FILE (repeatable) or the AGE_SECRET_KEY_FILE environment variable.
Cluster: --kubeconfig FILE (else $KUBECONFIG, in-cluster, ~/.kube/config), --context NAME, -n/--namespace NS.
`;

export const HELP: Record<string, string> = {
  keygen: `Usage: age-secret keygen [-o FILE] [--force]
       age-secret keygen -y IDENTITY-FILE

Creates an X25519 age identity. With -o the key file is written with mode 0600 and the recipient is
printed to stderr; without -o the key file goes to stdout. -y prints the recipients of an identity file.

Examples:
  age-secret keygen -o kubernetes.txt
  age-secret keygen -y kubernetes.txt
`,
  encrypt: `Usage: age-secret encrypt --file FILE -r RECIPIENT [-r RECIPIENT...] [-R RECIPIENTS-FILE] [options]
       age-secret encrypt --file FILE -n NS [-r RECIPIENT...] [options]

Encrypts the plaintext values of every AgeSecret in FILE (multi-document YAML; - for stdin) and prints the
manifest. Comments and key order are kept; values that are already encrypted are left alone; other
documents are copied unchanged. The recipients are recorded in the annotation
age-secret.pyvo.io/recipients so that edit and updatekeys can reuse them.

Options:
  -f, --file FILE             the manifest (or give it as the only argument); - reads stdin
  -r, --recipient AGE1...     encrypt for this recipient (repeatable)
  -R, --recipients-file FILE  one recipient per line, comments allowed (repeatable)
  -w, --in-place              rewrite FILE instead of printing
  --bind                      bind each value to its AgeSecret's namespace/name (see adr/0010)
  --bind-namespace            bind each value to its AgeSecret's namespace only
  -n, --namespace NS          also encrypt for the recipients NS publishes (read from the cluster; fails when
                              it publishes none), and bind to NS when the manifest has no metadata.namespace
  --offline                   with -n: do not read the cluster, -n only names the namespace to bind to
  --kubeconfig FILE           the kubeconfig (default $KUBECONFIG, then ~/.kube/config)
  --context NAME              a context of the kubeconfig other than its current one
  -a, --armor                 write ASCII-armored values instead of ENC[...]

Examples:
  age-secret encrypt --file app/manifests/age.secret.yaml -r age1... -r age1... > age.secret.enc.yaml
  age-secret encrypt --namespace development -r age1...mine --file age.secret.yaml > age.secret.enc.yaml
  age-secret encrypt -w --bind -R recipients.txt secrets/*.yaml
  cat secret.yaml | age-secret encrypt -f - -R recipients.txt
`,
  decrypt: `Usage: age-secret decrypt -i IDENTITY-FILE --file FILE [-n NS]

Prints the manifests with every AgeSecret value decrypted. Bound values are checked against the manifest's
namespace/name (or -n). The output holds plaintext: do not commit it.

Examples:
  age-secret decrypt -i local.txt --file age.secret.enc.yaml
`,
  edit: `Usage: age-secret edit -i IDENTITY-FILE --file FILE [-r RECIPIENT...] [-R FILE...]

Decrypts FILE into a private temporary file, opens $VISUAL or $EDITOR (default vi) on it and, on save,
re-encrypts and rewrites FILE. Unchanged values keep their ciphertext (no churn in git); changed and new
values are encrypted for -r/-R or for the recipients recorded in the file. Bound values stay bound.

Examples:
  EDITOR=nano age-secret edit -i local.txt --file age.secret.enc.yaml
`,
  updatekeys: `Usage: age-secret updatekeys -i IDENTITY-FILE --file FILE -r RECIPIENT... [-R FILE...] [-w]
       age-secret updatekeys -i IDENTITY-FILE --file FILE -n NS [-r RECIPIENT...] [-w]

Re-encrypts every value for the given recipients (add or remove a key; rotate) or, with -n, for the recipients
NS publishes now (plus -r/-R): after the cluster renewed its key, this moves the manifests off the retiring
one. Prints the manifest, or rewrites FILE with -w. Bindings are kept. Every value of every file is decrypted
first: if one does not decrypt with the identities given, nothing is written (exit 1).

Options: -n/--namespace, --offline, --kubeconfig, --context as for encrypt.

Examples:
  age-secret updatekeys -i local.txt -R recipients.txt -w --file age.secret.enc.yaml
  age-secret updatekeys -i local.txt -n development -r age1...mine -w --file age.secret.enc.yaml
`,
  recipients: `Usage: age-secret recipients -n NS [--kubeconfig FILE] [--context NAME]

Prints the recipients (public keys) that namespace NS publishes in its ConfigMap agesecret-recipients, one per
line: the format of a -R file. Needs only: get configmaps agesecret-recipients in NS. Refuses a ConfigMap the
AgeSecret operator did not make (exit 5), as it does an absent or empty one.

Exit codes: 0 printed, 5 nothing published (the message says how to opt in), 6 forbidden, 7 unreachable,
8 kubeconfig unusable or credentials rejected.

Examples:
  age-secret recipients -n development > recipients.txt
  age-secret recipients --context staging --namespace payments
`,
  status: `Usage: age-secret status -n NS [--kubeconfig FILE] [--context NAME]

Lists the AgeSecrets of NS with their Ready condition and whether each still needs a retiring key of the
namespace (so the key cannot be retired before its manifests are moved on with updatekeys -n NS). The answer
comes from the operator's status when it gives one (status.needsReencryption), else from the recipients the
CLI recorded in the annotation age-secret.pyvo.io/recipients; without either it is "unknown": an age
ciphertext does not say whom it is encrypted for. Needs: get configmaps agesecret-recipients and list
agesecrets.pyvo.io in NS.

Exit codes: 0 none needs a retiring key, 3 some do (run updatekeys), 4 for some it cannot be told,
5/6/7/8 as for recipients.

Examples:
  age-secret status -n development || echo "run updatekeys"
`,
  verify: `Usage: age-secret verify --file FILE [-i IDENTITY-FILE] [-n NS]

Checks that every AgeSecret has a secretName and values, that every value is encrypted (and well formed)
and that no plain Secret with data sits in the file. With -i it also decrypts every value (and checks
bindings). Prints one line per value, never a value; exits 1 when anything fails.

Examples:
  age-secret verify --file age.secret.enc.yaml
  age-secret verify -i kubernetes.txt --file age.secret.enc.yaml
`,
  'from-secret': `Usage: age-secret from-secret --file FILE -r RECIPIENT... [-R FILE...] [--age-secret-ref NAME] [--bind]

Turns each kind: Secret document (data and stringData) into an AgeSecret with encrypted values: one key
becomes secretKey/secret, several become spec.data; type, labels and annotations are carried (the
last-applied-configuration annotation, which holds plaintext, is dropped). Other documents are kept.
With -n NS the values are also encrypted for the recipients NS publishes (-n, --offline, --kubeconfig,
--context as for encrypt).

Examples:
  kubectl create secret generic numbers --from-file=numbers=secret.txt --dry-run=client -o yaml \\
    | age-secret from-secret -f - -R recipients.txt --age-secret-ref namespace-secret > numbers.enc.yaml
`,
};
