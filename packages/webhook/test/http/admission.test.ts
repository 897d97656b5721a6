/**
 * The admission endpoint end to end through Fastify (inject: same routing, parsing and limits as over
 * the network; the HTTPS listener itself is covered in tls/serving-certificate.test.ts).
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CredlessError } from '@credless/core';
import { buildWebhookApp } from '../../src/http/app.ts';
import { CLIENT_ID_ANNOTATION } from '../../src/mutation/constants.ts';
import type { AddOperation } from '../../src/mutation/types.ts';
import type { ServiceAccountSource } from '../../src/service-accounts/source.ts';
import { StaticServiceAccountSource } from '../../src/service-accounts/static-source.ts';
import { applyAndValidate, CLIENT_ID, config, pod, serviceAccount } from '../support.ts';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const BODY_LIMIT = 64 * 1024;
const accounts = new StaticServiceAccountSource([serviceAccount({ [CLIENT_ID_ANNOTATION]: CLIENT_ID })]);
const app = buildWebhookApp({ config, serviceAccounts: accounts, bodyLimitBytes: BODY_LIMIT });
after(() => app.close());

function review(overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'apps',
      operation: 'CREATE',
      object: pod(),
      ...request,
    },
    ...overrides,
  };
}

async function post(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return app.inject({ method: 'POST', url: '/mutate-v1-pod', payload, headers });
}

interface ReviewResponse {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    patch?: string;
    patchType?: string;
    warnings?: string[];
    status?: { code: number; message: string; reason: string };
  };
}

function wellFormed(raw: string, apiVersion = 'admission.k8s.io/v1'): ReviewResponse['response'] {
  const body = JSON.parse(raw) as ReviewResponse;
  assert.equal(body.kind, 'AdmissionReview');
  assert.equal(body.apiVersion, apiVersion);
  assert.equal(body.response.uid, UID);
  assert.equal(typeof body.response.allowed, 'boolean');
  if (!body.response.allowed) {
    assert.equal(typeof body.response.status?.code, 'number');
    assert.ok(body.response.status!.message.length > 0);
  }
  return body.response;
}

const decodePatch = (patch: string) => JSON.parse(Buffer.from(patch, 'base64').toString()) as AddOperation[];

describe('POST /mutate-v1-pod', () => {
  for (const apiVersion of ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'])
    test(`${apiVersion}: mutates and answers in the same version`, async () => {
      const response = await post(review({ apiVersion }));
      assert.equal(response.statusCode, 200);
      const result = wellFormed(response.body, apiVersion);
      assert.equal(result.allowed, true);
      assert.equal(result.patchType, 'JSONPatch');
      applyAndValidate(pod(), decodePatch(result.patch!));
    });

  test('missing ServiceAccount: denied with the azure-workload-identity message', async () => {
    const response = await post(review({}, { object: pod({ serviceAccountName: 'nope' }) }));
    const result = wellFormed(response.body);
    assert.equal(result.allowed, false);
    assert.equal(result.status?.code, 400);
    assert.match(result.status!.message, /^serviceaccounts "nope" not found in namespace "apps"/);
  });

  test('namespace falls back to the pod metadata', async () => {
    const response = await post(review({}, { namespace: undefined }));
    assert.equal(wellFormed(response.body).allowed, true);
  });

  test('an unexpected failure is a generic 500 denial (details only in the log)', async () => {
    const seen: unknown[] = [];
    const broken: ServiceAccountSource = {
      get: async () => {
        throw new TypeError('secret internals');
      },
      ready: () => true,
      close: async () => {},
    };
    const local = buildWebhookApp({ config, serviceAccounts: broken, onError: (error) => seen.push(error) });
    const response = await local.inject({ method: 'POST', url: '/mutate-v1-pod', payload: review() });
    const result = wellFormed(response.body);
    assert.deepEqual([result.allowed, result.status?.code], [false, 500]);
    assert.doesNotMatch(result.status!.message, /secret internals/);
    assert.equal(seen.length, 1);
    await local.close();
  });

  test('a source that cannot reach the API server: its clear message is the denial', async () => {
    const down: ServiceAccountSource = {
      get: async (namespace, name) => {
        throw new CredlessError('webhook_service_account_unavailable', {
          namespace,
          name,
          reason: 'ECONNREFUSED',
        });
      },
      ready: () => false,
      close: async () => {},
    };
    const local = buildWebhookApp({ config, serviceAccounts: down });
    const result = wellFormed(
      (await local.inject({ method: 'POST', url: '/mutate-v1-pod', payload: review() })).body,
    );
    assert.equal(result.status?.code, 500);
    assert.match(result.status!.message, /could not read ServiceAccount apps\/workload .*ECONNREFUSED/);
    assert.equal((await local.inject({ url: '/readyz' })).statusCode, 503);
    await local.close();
  });
});

describe('bad input: never a crash, a well-formed AdmissionReview or a clean 4xx', () => {
  type Expect = {
    status: number;
    allowed?: boolean;
    patched?: boolean;
    message?: RegExp;
    apiVersion?: string;
  };
  const huge = review({}, { object: pod({}, { annotations: { big: 'x'.repeat(BODY_LIMIT) } }) });
  const cases: Array<[string, unknown, Expect, Record<string, string>?]> = [
    ['not JSON', '{"apiVersion": ', { status: 400 }],
    ['empty body', '', { status: 400 }],
    ['a JSON array', [review()], { status: 400, message: /not a JSON object/ }],
    ['JSON null', 'null', { status: 400 }],
    ['wrong content type', JSON.stringify(review()), { status: 415 }, { 'content-type': 'text/plain' }],
    ['body above the cap', huge, { status: 413 }],
    ['__proto__ pollution attempt', '{"__proto__": {"allowed": true}}', { status: 400 }],
    [
      'missing request',
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
      { status: 400, message: /request is missing/ },
    ],
    ['request without uid', review({}, { uid: undefined }), { status: 400, message: /uid/ }],
    ['uid not a string', review({}, { uid: 42 }), { status: 400, message: /uid/ }],
    [
      'wrong kind (uid echoed)',
      review({ kind: 'ConversionReview' }),
      { status: 200, allowed: false, message: /kind must be AdmissionReview/ },
    ],
    [
      'wrong apiVersion (uid echoed)',
      review({ apiVersion: 'admission.k8s.io/v2' }),
      { status: 200, allowed: false, message: /apiVersion must be/ },
    ],
    [
      'apiVersion missing',
      review({ apiVersion: undefined }),
      { status: 200, allowed: false, message: /apiVersion/ },
    ],
    [
      'unknown fields everywhere are ignored',
      review({ extra: { a: 1 } }, { futureField: [1], userInfo: { username: 'x' } }),
      { status: 200, allowed: true, patched: true },
    ],
    [
      'a Deployment routed here passes untouched',
      review({}, { kind: { kind: 'Deployment' }, resource: { resource: 'deployments' } }),
      { status: 200, allowed: true, patched: false },
    ],
    [
      'pods/status subresource passes',
      review({}, { subResource: 'status' }),
      { status: 200, allowed: true, patched: false },
    ],
    [
      'UPDATE passes untouched',
      review({}, { operation: 'UPDATE' }),
      { status: 200, allowed: true, patched: false },
    ],
    [
      'an unlabelled pod passes untouched (its ServiceAccount is not even looked up)',
      review({}, { object: pod({ serviceAccountName: 'nope' }, { labels: { app: 'x' } }) }),
      { status: 200, allowed: true, patched: false },
    ],
    [
      'label "false" passes untouched',
      review({}, { object: pod({}, { labels: { 'azure.workload.identity/use': 'false' } }) }),
      { status: 200, allowed: true, patched: false },
    ],
    [
      'no request.kind: the object kind decides',
      review({}, { kind: undefined }),
      { status: 200, allowed: true, patched: true },
    ],
    [
      'deeply nested JSON where the pod should be',
      `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"${UID}","kind":{"kind":"Pod"},"object":${'['.repeat(20000)}${']'.repeat(20000)}}}`,
      { status: 200, allowed: false, message: /not a Pod object/ },
    ],
    [
      'a pod without containers',
      review({}, { object: pod({ containers: [] }) }),
      { status: 200, allowed: false, message: /no containers/ },
    ],
    [
      'object missing',
      review({}, { object: undefined }),
      { status: 200, allowed: false, message: /not a Pod object/ },
    ],
    [
      'object is a string',
      review({}, { object: 'pod' }),
      { status: 200, allowed: false, message: /not a Pod object/ },
    ],
    [
      'env of the wrong type',
      review({}, { object: pod({ containers: [{ name: 'a', env: 'x' }] }) }),
      { status: 200, allowed: false, message: /env is not a list/ },
    ],
    [
      'no namespace anywhere',
      review({}, { namespace: '', object: pod({}, { namespace: undefined }) }),
      { status: 200, allowed: false, message: /names no namespace/ },
    ],
    [
      'invalid expiration annotation',
      review(
        {},
        {
          object: pod(
            {},
            { annotations: { 'azure.workload.identity/service-account-token-expiration': '100' } },
          ),
        },
      ),
      { status: 200, allowed: false, message: /token expiration 100 not valid/ },
    ],
  ];
  for (const [name, body, expected, headers] of cases)
    test(name, async () => {
      const response = await post(body, headers);
      assert.equal(response.statusCode, expected.status, response.body);
      assert.match(String(response.headers['content-type']), /application\/json/);
      if (expected.status !== 200) {
        const payload = JSON.parse(response.body) as { message: string };
        assert.equal(typeof payload.message, 'string');
        assert.doesNotMatch(payload.message, /at .*\.ts:\d+/, 'no stack trace');
        if (expected.message) assert.match(payload.message, expected.message);
        return;
      }
      const result = wellFormed(response.body);
      assert.equal(result.allowed, expected.allowed);
      if (expected.patched !== undefined) assert.equal(result.patch !== undefined, expected.patched);
      if (expected.message) assert.match(result.status!.message, expected.message);
    });

  test('the app still serves after all of the above', async () => {
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    assert.equal(wellFormed((await post(review())).body).allowed, true);
  });

  test('unknown route: 404 with a short message', async () => {
    const response = await app.inject({ method: 'GET', url: '/mutate-v1-pod' });
    assert.equal(response.statusCode, 404);
    assert.match(JSON.parse(response.body).message, /no route GET \/mutate-v1-pod/);
  });
});
