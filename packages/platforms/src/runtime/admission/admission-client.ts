/**
 * The API server's side of a mutating admission webhook: POST an AdmissionReview v1 over HTTPS (the
 * webhook's CA pinned, its Service DNS name verified as the API server does), then apply the returned
 * JSONPatch. Only pods matching the webhook's objectSelector (`azure.workload.identity/use: "true"`)
 * are sent, and failurePolicy is Fail: an unreachable webhook refuses the pod.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { CredlessError } from '@credless/core';
import { USE_LABEL } from '@credless/webhook';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import type { PodObject } from '../manifests/objects.ts';

export interface WebhookEndpoint {
  /** https://127.0.0.1:<port>/mutate-v1-pod */
  url: string;
  /** The name its certificate is verified against (the webhook Service's DNS name). */
  servername: string;
  caPem: string;
  timeoutMs?: number;
}

export const WEBHOOK_NAME = 'mutation.azure-workload-identity.io';

export function selectedByWebhook(pod: PodObject): boolean {
  return pod.metadata.labels?.[USE_LABEL] === 'true';
}

/** Admits the pod: the mutated pod, or a CredlessError carrying the webhook's denial message. */
export async function admitPod(
  endpoint: WebhookEndpoint,
  pod: PodObject,
  source: string,
): Promise<PodObject> {
  if (!selectedByWebhook(pod)) return pod;
  const uid = randomUUID();
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      operation: 'CREATE',
      userInfo: { username: 'system:credless:local-cluster' },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
  let answer: { status: number; body: string };
  try {
    answer = await post(endpoint, JSON.stringify(review));
  } catch (error) {
    throw refused(source, pod, `failed calling webhook "${WEBHOOK_NAME}": ${(error as Error).message}`);
  }
  let response:
    | { uid?: string; allowed?: boolean; patch?: string; patchType?: string; status?: { message?: string } }
    | undefined;
  try {
    response = (JSON.parse(answer.body) as { response?: typeof response }).response;
  } catch {}
  if (answer.status !== 200 || !response || response.uid !== uid)
    throw refused(
      source,
      pod,
      `failed calling webhook "${WEBHOOK_NAME}": HTTP ${answer.status}, no valid AdmissionReview response`,
    );
  if (!response.allowed)
    throw refused(
      source,
      pod,
      `admission webhook "${WEBHOOK_NAME}" denied the request: ${response.status?.message ?? 'denied'}`,
    );
  if (!response.patch) return pod;
  if (response.patchType !== 'JSONPatch')
    throw refused(source, pod, `webhook "${WEBHOOK_NAME}" returned patchType ${response.patchType}`);
  const operations = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[];
  // validate: a patch that does not apply refuses the pod, as the API server does.
  return fastJsonPatch.applyPatch(structuredClone(pod), operations, true, false).newDocument;
}

function refused(source: string, pod: PodObject, reason: string): CredlessError {
  return new CredlessError('runtime_manifest_invalid', {
    source: `${source} Pod ${pod.metadata.namespace}/${pod.metadata.name}`,
    reason,
  });
}

function post(endpoint: WebhookEndpoint, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      endpoint.url,
      {
        method: 'POST',
        ca: endpoint.caPem,
        servername: endpoint.servername,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: endpoint.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', reject);
    req.end(body);
  });
}
