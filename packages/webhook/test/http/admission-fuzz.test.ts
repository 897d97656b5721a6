/**
 * Fuzzing POST /mutate-v1-pod with ≥ 10,000 random and malformed AdmissionReviews: random JSON, valid
 * reviews with any field replaced, dropped or given the wrong type, huge strings, deep nesting, invalid
 * pods, other kinds, operations and versions, binary garbage and wrong content types. Every answer must
 * come within the timeout as JSON with a sane status, no admission may fail unexpectedly, and every
 * patch must apply to the pod it was computed for.
 *
 * fast-check drives the PRNG: a failure prints its seed and path; CREDLESS_FUZZ_SEED=<seed> replays it.
 * @module
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { buildWebhookApp, DEFAULT_BODY_LIMIT_BYTES } from '../../src/http/app.ts';
import {
  CLIENT_ID_ANNOTATION,
  SKIP_CONTAINERS_ANNOTATION,
  TENANT_ID_ANNOTATION,
  TOKEN_EXPIRATION_ANNOTATION,
  USE_LABEL,
} from '../../src/mutation/constants.ts';
import { StaticServiceAccountSource } from '../../src/service-accounts/static-source.ts';
import { CLIENT_ID, config, pod, serviceAccount } from '../support.ts';

const RUNS = 10_000;
/** Generous: the machine may be shared; an answer normally takes well under a millisecond. */
const ANSWER_TIMEOUT_MS = 5000;
const SANE_STATUSES = new Set([200, 400, 404, 413, 415]);
const seed = process.env['CREDLESS_FUZZ_SEED'] ? Number(process.env['CREDLESS_FUZZ_SEED']) : Date.now() | 0;

const unexpected: unknown[] = [];
const accounts = new StaticServiceAccountSource([
  serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID }),
  serviceAccount({ [CLIENT_ID_ANNOTATION]: 'not-a-guid', [TOKEN_EXPIRATION_ANNOTATION]: 'x' }, 'odd'),
  serviceAccount({}, 'default'),
]);
const app = buildWebhookApp({
  config,
  serviceAccounts: accounts,
  onError: (error) => unexpected.push(error),
});
after(() => app.close());

// --- generators -------------------------------------------------------------------------------------

const hugeString = fc.integer({ min: 10_000, max: 100_000 }).map((length) => 'x'.repeat(length));
/** Nesting far deeper than any pod (as values: JSON.stringify recurses; deeper text is sent below). */
const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 1500 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) : deepObject(depth),
  );
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 8 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, '', [], {}), weight: 3 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
);
/**
 * The valid value most of the time, else garbage or nothing (JSON.stringify drops an undefined key): with
 * some 25 fields per review, about a third of the reviews stay valid enough to reach the mutation.
 */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: valid, weight: 40 },
    { arbitrary: garbage, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );

/** `valid` six times in seven, else one of the alternatives (each path of the handler stays reachable). */
const usually = <T>(valid: T, ...alternatives: T[]) =>
  fc.oneof(
    { arbitrary: fc.constant(valid), weight: 6 },
    { arbitrary: fc.constantFrom(...alternatives), weight: 1 },
  );

const annotationKeys = fc.constantFrom(
  CLIENT_ID_ANNOTATION,
  TENANT_ID_ANNOTATION,
  TOKEN_EXPIRATION_ANNOTATION,
  SKIP_CONTAINERS_ANNOTATION,
  'azure.workload.identity/inject-proxy-sidecar',
  'azure.workload.identity/proxy-sidecar-port',
);
const annotationValues = fc.oneof(
  fc.constantFrom('', 'true', '3600', '86400', '-1', '1e9', 'app;sidecar', CLIENT_ID),
  fc.string({ maxLength: 30 }),
);
const containerArb = fc.record({
  name: mostly(fc.constantFrom('app', 'sidecar', 'init', 'app')),
  image: mostly(fc.constant('registry.example/app:1')),
  env: mostly(
    fc.array(
      fc.record({ name: mostly(fc.constantFrom('AZURE_CLIENT_ID', 'A', '')), value: mostly(fc.string()) }),
    ),
  ),
  volumeMounts: mostly(fc.array(fc.record({ name: mostly(fc.string()), mountPath: mostly(fc.string()) }))),
});
const podArb = fc.record({
  apiVersion: mostly(fc.constant('v1')),
  kind: mostly(usually('Pod', 'Deployment')),
  metadata: mostly(
    fc.record({
      name: mostly(fc.constant('web-0')),
      namespace: mostly(usually('apps', 'other', '')),
      labels: mostly(fc.record({ [USE_LABEL]: mostly(usually('true', 'false')), app: fc.string() })),
      annotations: mostly(fc.dictionary(annotationKeys, mostly(annotationValues))),
    }),
  ),
  spec: mostly(
    fc.record({
      serviceAccountName: mostly(usually('workload', 'odd', 'default', 'missing', '')),
      containers: mostly(fc.array(mostly(containerArb), { maxLength: 4 })),
      initContainers: mostly(fc.array(mostly(containerArb), { maxLength: 2 })),
      volumes: mostly(fc.array(mostly(fc.record({ name: mostly(fc.string()) })), { maxLength: 3 })),
    }),
  ),
});
const reviewArb = fc.record({
  apiVersion: mostly(
    fc.oneof(usually('admission.k8s.io/v1', 'admission.k8s.io/v2'), fc.constant('admission.k8s.io/v1beta1')),
  ),
  kind: mostly(usually('AdmissionReview', 'AdmissionReviewList')),
  request: mostly(
    fc.record({
      uid: mostly(fc.uuid()),
      kind: mostly(
        fc.record({
          group: mostly(usually('', 'apps')),
          version: mostly(usually('v1', 'v2')),
          kind: mostly(usually('Pod', 'Deployment')),
        }),
      ),
      resource: mostly(
        fc.record({
          group: mostly(fc.constant('')),
          version: mostly(fc.constant('v1')),
          resource: mostly(usually('pods', 'pods/status')),
        }),
      ),
      subResource: mostly(usually('', 'status', 'ephemeralcontainers')),
      namespace: mostly(usually('apps', 'other', '')),
      operation: mostly(usually('CREATE', 'UPDATE', 'DELETE', 'CONNECT')),
      object: fc.oneof(
        { arbitrary: podArb, weight: 6 },
        { arbitrary: fc.constant(pod()), weight: 1 },
        { arbitrary: garbage, weight: 1 },
      ),
    }),
  ),
});

interface Attempt {
  payload: string | Buffer;
  contentType: string | undefined;
  /** The value sent as JSON: its pod is what a patch must apply to. */
  review?: unknown;
}

const json =
  (contentType: string | undefined) =>
  (value: unknown): Attempt => ({ payload: JSON.stringify(value) ?? 'null', contentType, review: value });
const asJson = json('application/json');
const oversized = asJson({ request: { uid: 'u', object: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES) } });
const attemptArb: fc.Arbitrary<Attempt> = fc.oneof(
  { arbitrary: reviewArb.map(asJson), weight: 120 },
  { arbitrary: garbage.map(asJson), weight: 20 },
  // Binary garbage and truncated JSON, declared as JSON.
  {
    arbitrary: fc
      .uint8Array({ maxLength: 2048 })
      .map((bytes) => ({ payload: Buffer.from(bytes), contentType: 'application/json' })),
    weight: 10,
  },
  {
    arbitrary: fc.tuple(reviewArb, fc.nat()).map(([review, cut]) => {
      const text = JSON.stringify(review);
      return { payload: text.slice(0, cut % (text.length + 1)), contentType: 'application/json' };
    }),
    weight: 10,
  },
  // Nesting as text, up to 50,000 levels: the parser and everything after it must not overflow the stack.
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1000, max: 50_000 }), fc.constantFrom('[', '{"a":'))
      .map(([depth, open]) => {
        const close = open === '[' ? ']' : '}';
        const nested = `${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}`;
        return {
          payload: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":${nested}}}`,
          contentType: 'application/json',
        };
      }),
    weight: 5,
  },
  // Wrong or missing content types.
  {
    arbitrary: fc
      .tuple(
        reviewArb,
        fc.constantFrom(
          'text/plain',
          'application/octet-stream',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
          undefined,
        ),
      )
      .map(([review, type]) => json(type)(review)),
    weight: 10,
  },
  // Above the body limit.
  {
    arbitrary: fc.constant(oversized),
    weight: 1,
  },
);

function deepObject(depth: number): unknown {
  let value: unknown = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

// --- the property -------------------------------------------------------------------------------------

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type Outcome = 'patched' | 'allowed' | 'denied' | `status ${number}`;

function checkAnswer(attempt: Attempt, status: number, raw: string): Outcome {
  assert.ok(SANE_STATUSES.has(status), `status ${status}: ${raw.slice(0, 300)}`);
  const body = JSON.parse(raw) as Record<string, unknown>;
  if (status !== 200) {
    assert.equal(typeof body['message'], 'string', raw.slice(0, 300));
    return `status ${status}`;
  }
  assert.equal(body['kind'], 'AdmissionReview');
  const response = body['response'] as Record<string, unknown>;
  assert.equal(typeof response['uid'], 'string');
  assert.equal(typeof response['allowed'], 'boolean');
  if (!response['allowed']) {
    const result = response['status'] as { code?: unknown; message?: unknown };
    assert.equal(typeof result.code, 'number');
    assert.ok(typeof result.message === 'string' && result.message.length > 0);
  }
  if (typeof response['patch'] === 'string') {
    const patch = JSON.parse(
      Buffer.from(response['patch'], 'base64').toString(),
    ) as fastJsonPatch.Operation[];
    const object = (attempt.review as { request?: { object?: unknown } } | undefined)?.request?.object;
    assert.ok(object !== undefined, 'a patch for a request without a pod');
    // A patch the API server cannot apply fails the pod's creation: it must fit the pod it came from.
    const error = fastJsonPatch.validate(patch, structuredClone(object));
    assert.equal(error, undefined, `patch does not apply: ${String(error)}`);
    return 'patched';
  }
  return response['allowed'] ? 'allowed' : 'denied';
}

test(`${RUNS} random and malformed AdmissionReviews: no crash, JSON answers, patches that apply (seed ${seed})`, async () => {
  const started = performance.now();
  const outcomes = new Map<Outcome, number>();
  await fc.assert(
    fc.asyncProperty(attemptArb, async (attempt) => {
      const response = await withTimeout(
        app.inject({
          method: 'POST',
          url: '/mutate-v1-pod',
          payload: attempt.payload,
          ...(attempt.contentType ? { headers: { 'content-type': attempt.contentType } } : {}),
        }),
        ANSWER_TIMEOUT_MS,
      );
      const outcome = checkAnswer(attempt, response.statusCode, response.body);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      assert.deepEqual(unexpected, [], 'an admission failed unexpectedly');
    }),
    { numRuns: RUNS, seed, endOnFailure: true },
  );
  const seen = Object.fromEntries(outcomes);
  console.log(`fuzz: ${RUNS} reviews in ${Math.round(performance.now() - started)} ms (seed ${seed})`, seen);
  // Not vacuous: the generators reach mutation, denial and each refusal of the HTTP layer.
  for (const outcome of ['patched', 'allowed', 'denied', 'status 400', 'status 413', 'status 415'] as const) {
    assert.ok((outcomes.get(outcome) ?? 0) > 0, `no ${outcome} answer in ${JSON.stringify(seen)}`);
  }
});
