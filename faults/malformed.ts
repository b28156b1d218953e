// fast-check generators of hostile input: AgeSecrets that are wrong in one to three ways, pods with hostile annotations.
import fc from 'fast-check';

/** The valid parts a malformed AgeSecret starts from (the test supplies real ciphertexts). */
export interface Material {
  /** A ciphertext for this namespace's key. */
  good: string;
  /** A ciphertext for a key nobody in the namespace holds. */
  foreign: string;
  /** A plaintext value carrying the hygiene marker. */
  plaintext: () => string;
}

type Spec = Record<string, unknown>;
export type Mutation = { name: string; apply: (spec: Spec, m: Material) => void };

const badNames = ['', 'Bad_Name', 'UPPER', '-lead', 'trail-', 'with space', 'sécret', '../x', 'a/b', 'a'.repeat(254), '.', '..'];
const badKeys = ['bad key', '../etc/passwd', 'a'.repeat(300), 'ключ', 'a/b', 'tab\tkey', ''];

/** Each mutation alone makes the AgeSecret unusable, so the operator must say why. */
export const mutations = (pick: (n: number) => number): Mutation[] => [
  {
    name: 'secretName invalid',
    apply: (s) => {
      s.secretName = badNames[pick(badNames.length)];
    },
  },
  {
    name: 'secretName missing',
    apply: (s) => {
      delete s.secretName;
    },
  },
  {
    name: 'secretName of an unowned Secret',
    apply: (s) => {
      s.secretName = 'namespace-secret';
    },
  },
  {
    name: 'secretKey invalid',
    apply: (s) => {
      s.secretKey = badKeys[pick(badKeys.length)];
    },
  },
  {
    name: 'secret in plaintext',
    apply: (s, m) => {
      s.secret = m.plaintext();
    },
  },
  {
    name: 'secret malformed ENC[]',
    apply: (s) => {
      s.secret = ['ENC[]', 'ENC[not base64!!]', 'ENC[YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==]', 'ENC['][pick(4)];
    },
  },
  {
    name: 'secret truncated',
    apply: (s, m) => {
      s.secret = `${m.good.slice(0, Math.max(5, pick(m.good.length - 2)))}]`;
    },
  },
  {
    name: 'secret armored garbage',
    apply: (s) => {
      s.secret = '-----BEGIN AGE ENCRYPTED FILE-----\nZ2FyYmFnZQ==\n-----END AGE ENCRYPTED FILE-----';
    },
  },
  {
    name: 'secret huge',
    apply: (s) => {
      s.secret = `ENC[${'QUFB'.repeat(25_000 + pick(1000))}]`;
    },
  },
  {
    name: 'secret for another key',
    apply: (s, m) => {
      s.secret = m.foreign;
    },
  },
  // Applied last (see malformedAgeSecret), so no other mutation brings a value back.
  {
    name: 'nothing to decrypt',
    apply: (s) => {
      delete s.secret;
      delete s.secretKey;
      delete s.data;
    },
  },
  {
    name: 'ageSecretRef missing',
    apply: (s) => {
      s.ageSecretRef = 'no-such-secret';
    },
  },
  {
    name: 'ageSecretRef invalid',
    apply: (s) => {
      s.ageSecretRef = ['Bad/Ref', '..', 'other-ns/namespace-secret', 'UPPER'][pick(4)];
    },
  },
  {
    name: 'ageSecretRef to garbage identities',
    apply: (s) => {
      s.ageSecretRef = 'garbage-key';
    },
  },
  {
    name: 'ageSecretRef without the key field',
    apply: (s) => {
      s.ageSecretRef = 'no-field-key';
    },
  },
  {
    name: 'tls type without tls keys',
    apply: (s) => {
      s.type = 'kubernetes.io/tls';
    },
  },
  {
    name: 'labels invalid',
    apply: (s) => {
      s.labels = [{ 'bad key!': 'x' }, { ok: 'value with spaces' }, { ['a'.repeat(70)]: 'x' }][pick(3)];
    },
  },
  {
    name: 'annotations invalid',
    apply: (s) => {
      s.annotations = { 'bad key!': 'x' };
    },
  },
  {
    name: 'data key clash',
    apply: (s, m) => {
      s.data = { [String(s.secretKey ?? 'value')]: m.good };
    },
  },
  {
    name: 'data key invalid',
    apply: (s, m) => {
      s.data = { 'bad key': m.good };
    },
  },
  {
    name: 'data value plaintext',
    apply: (s, m) => {
      s.data = { extra: m.plaintext() };
    },
  },
  {
    name: 'wrong types (refused by the API server)',
    apply: (s) => {
      s.secretName = 12345;
      s.data = 'not-a-map';
    },
  },
];

export interface MalformedCase {
  mutations: string[];
  spec: Spec;
}

/** A malformed spec: the valid base with 1-3 distinct mutations applied. */
export function malformedAgeSecret(material: Material): fc.Arbitrary<MalformedCase> {
  const count = mutations(() => 0).length;
  return fc
    .record({
      chosen: fc.uniqueArray(fc.nat({ max: count - 1 }), { minLength: 1, maxLength: 3 }),
      seeds: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    })
    .map(({ chosen, seeds }) => {
      let i = 0;
      const pick = (n: number) => (n <= 0 ? 0 : seeds[i++ % seeds.length]! % n);
      const all = mutations(pick);
      const spec: Spec = { secretName: 'target', secretKey: 'value', ageSecretRef: 'namespace-secret', secret: material.good };
      const applied = chosen
        .map((c) => all[c]!)
        .sort((a, b) => Number(a.name === 'nothing to decrypt') - Number(b.name === 'nothing to decrypt'));
      for (const m of applied) m.apply(spec, material);
      return { mutations: applied.map((m) => m.name), spec };
    });
}

const hostileString = fc.oneof(
  fc.constantFrom(
    '0',
    '65536',
    '-1',
    '3000abc',
    ' 3000',
    '１２３',
    '1e3',
    '0x50',
    '',
    '99999999999999999999',
    '\u0000',
    '3000\n',
    '${PORT}',
    '$(rm -rf /)',
  ),
  fc.string({ maxLength: 40 }).filter((s) => !/^[0-9]{1,5}$/.test(s)),
  fc.string({ minLength: 1000, maxLength: 4000 }),
);

/** Annotations of a labelled pod written by someone hostile: never a usable port, never a plain "done". */
export const hostileAnnotations: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'secret-handshake/port': hostileString,
    'secret-handshake-done': fc
      .oneof(fc.constantFrom('TRUE', 'yes', '1', 'true ', ''), fc.string({ maxLength: 20 }))
      .filter((s) => s !== 'true'),
    'secret-handshake.pyvo.io/restart-count': fc.oneof(
      fc.constantFrom('-1', 'NaN', '1e9', '999999999999', '0x10'),
      fc.string({ maxLength: 20 }),
    ),
    'other.example.com/noise': fc.string({ maxLength: 2000 }),
  },
  { requiredKeys: ['secret-handshake/port'] },
);
