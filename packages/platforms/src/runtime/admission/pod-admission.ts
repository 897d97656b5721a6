/**
 * Admission of a cluster's pods, as the API server does at creation: the pod's ServiceAccount must
 * exist (`default` always does), then the pod goes through the cluster's webhook (started on first use)
 * with the cluster's ServiceAccounts as the webhook sees them.
 * @module
 */
import { CredlessError } from '@credless/core';
import type { PodObject, ServiceAccountObject } from '../manifests/objects.ts';
import { admitPod } from './admission-client.ts';
import { type LocalWebhook, type LocalWebhookOptions, startLocalWebhook } from './local-webhook.ts';

export class PodAdmission {
  readonly #options: LocalWebhookOptions;
  #webhook: Promise<LocalWebhook> | undefined;

  constructor(options: LocalWebhookOptions) {
    this.#options = options;
  }

  /** The admitted pod (mutated by the webhook), or the API server's refusal. */
  async admit(pod: PodObject, source: string, serviceAccounts: ServiceAccountObject[]): Promise<PodObject> {
    const namespace = pod.metadata.namespace;
    const account = pod.spec?.serviceAccountName ?? 'default';
    const exists = (sa: ServiceAccountObject) =>
      sa.metadata.namespace === namespace && sa.metadata.name === account;
    if (account !== 'default' && !serviceAccounts.some(exists))
      throw new CredlessError('runtime_manifest_invalid', {
        source: `${source} Pod ${namespace}/${pod.metadata.name}`,
        reason: `error looking up service account ${namespace}/${account}: serviceaccount "${account}" not found`,
      });
    const webhook = await this.#localWebhook();
    // Every namespace has a default ServiceAccount; one applied explicitly wins (set below).
    webhook.serviceAccounts.set({ namespace, name: 'default', annotations: {} });
    for (const sa of serviceAccounts)
      webhook.serviceAccounts.set({
        namespace: sa.metadata.namespace,
        name: sa.metadata.name,
        annotations: { ...(sa.metadata.annotations ?? {}) },
      });
    return admitPod(webhook.endpoint, pod, source);
  }

  async forgetServiceAccount(namespace: string, name: string): Promise<void> {
    const webhook = await this.#webhook?.catch(() => undefined);
    webhook?.serviceAccounts.delete(namespace, name);
  }

  async close(): Promise<void> {
    if (this.#webhook) await (await this.#webhook.catch(() => undefined))?.close();
  }

  #localWebhook(): Promise<LocalWebhook> {
    this.#webhook ??= startLocalWebhook(this.#options);
    this.#webhook.catch(() => {
      this.#webhook = undefined;
    });
    return this.#webhook;
  }
}
