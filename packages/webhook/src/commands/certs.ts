/**
 * `credless webhook certs`: a private CA and a serving certificate for the webhook Service's DNS names,
 * written to a directory (keys 0600), and the caBundle (base64 PEM) for the MutatingWebhookConfiguration.
 * @module
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CredlessError } from '@credless/core';

export interface WebhookCertsOptions {
  service: string;
  namespace: string;
  out: string;
  validityDays?: number;
}

export interface WebhookCertsResult {
  caBundle: string;
  dnsNames: string[];
  files: { caCert: string; caKey: string; tlsCert: string; tlsKey: string };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function serviceDnsNames(service: string, namespace: string): string[] {
  for (const [flag, value] of [
    ['--service', service],
    ['--namespace', namespace],
  ] as const)
    if (!DNS_LABEL.test(value))
      throw new CredlessError('webhook_config_invalid', { reason: `${flag} '${value}' is not a DNS label` });
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

export async function createWebhookCerts(options: WebhookCertsOptions): Promise<WebhookCertsResult> {
  const dnsNames = serviceDnsNames(options.service, options.namespace);
  // Loaded on use: importing @credless/webhook (e.g. for its mutation rules) stays light.
  const { createCertificateAuthority, issueServerCertificate } = await import('@credless/common');
  const ca = await createCertificateAuthority({ commonName: `credless webhook CA (${options.namespace})` });
  const serving = await issueServerCertificate({
    ca,
    dnsNames,
    ipAddresses: [],
    commonName: dnsNames[2],
    validityDays: options.validityDays ?? 397,
  });
  await mkdir(options.out, { recursive: true });
  // Names as a kubernetes.io/tls Secret mounts them, so the directory can back one directly.
  const files = {
    caCert: join(options.out, 'ca.crt'),
    caKey: join(options.out, 'ca.key'),
    tlsCert: join(options.out, 'tls.crt'),
    tlsKey: join(options.out, 'tls.key'),
  };
  await writePrivate(files.caKey, ca.keyPem);
  await writeFile(files.caCert, ca.certPem, { mode: 0o644 });
  await writePrivate(files.tlsKey, serving.keyPem);
  await writeFile(files.tlsCert, serving.certPem, { mode: 0o644 });
  return { caBundle: Buffer.from(ca.certPem).toString('base64'), dnsNames, files };
}

async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  // writeFile keeps the mode of an existing file; a key must never stay readable by others.
  await chmod(path, 0o600);
}
