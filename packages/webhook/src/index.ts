/**
 * @credless/webhook: the Kubernetes mutating admission webhook (azure-workload-identity compatible).
 * @module
 */
export type { AdmissionDeps, AdmissionOutcome } from './admission/handle.ts';
export { reviewAdmission } from './admission/handle.ts';
export type { AdmissionReviewResponse } from './admission/review.ts';
export type { WebhookCertsOptions, WebhookCertsResult } from './commands/certs.ts';
export { createWebhookCerts, serviceDnsNames } from './commands/certs.ts';
export type { WebhookServeCommandOptions } from './commands/serve.ts';
export { closeWebhookOnSignals, webhookServe } from './commands/serve.ts';
export type { WebhookAppDeps } from './http/app.ts';
export { buildWebhookApp, MUTATE_PATH } from './http/app.ts';
export type { RunningWebhook, ServeWebhookOptions } from './main.ts';
export { DEFAULT_WEBHOOK_PORT, serveWebhook } from './main.ts';
export type { MutationOptions } from './mutation/config.ts';
export { compileMutationConfig } from './mutation/config.ts';
export * from './mutation/constants.ts';
export type { IdentityBindingPolicy } from './mutation/identity-bindings.ts';
export { checkIdentityBinding, parseIdentityBindingPolicy } from './mutation/identity-bindings.ts';
export type { MutationResult } from './mutation/mutate-pod.ts';
export { mutatePod, readPod } from './mutation/mutate-pod.ts';
export type { AddOperation, MutationConfig, ServiceAccountInfo } from './mutation/types.ts';
// KubernetesServiceAccountSource is not re-exported: it pulls in @kubernetes/client-node (about a second
// of start-up), so it is loaded only when a webhook actually watches a cluster (serveWebhook).
export type { ServiceAccountSource } from './service-accounts/source.ts';
export { StaticServiceAccountSource } from './service-accounts/static-source.ts';
export type { CertificateFiles, CertificatePair } from './tls/serving-certificate.ts';
export { readCertificatePair, watchCertificateFiles } from './tls/serving-certificate.ts';
