/**
 * The values sets the chart is rendered with in tests: the defaults and non-default sets that flip every
 * switch (webhook or server disabled, another release and namespace, replicas, image, caBundle, identity
 * bindings, Ingress, extra env).
 * @module
 */
import { DEFAULT_RELEASE } from './chart.ts';
import type { RenderContext } from './helm-subset.ts';

const CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64',
);

export const VALUE_SETS: Array<{
  name: string;
  release: RenderContext['Release'];
  values: Record<string, unknown>;
}> = [
  { name: 'default values', release: DEFAULT_RELEASE, values: {} },
  {
    name: 'webhook only, custom namespace, replicas, image, caBundle and identity bindings',
    release: { Name: 'idp', Namespace: 'identity' },
    values: {
      authorityHost: 'https://sts.corp.example:8443/',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      image: { repository: 'registry.corp.example/credless', tag: '1.2.3' },
      webhook: {
        replicas: 3,
        port: 10443,
        audience: 'api://corp-sts',
        tokenPath: '/var/run/secrets/corp/token',
        caBundle: CA_BUNDLE,
        tls: { secretName: 'idp-webhook-serving' },
        identityBindings: [
          { clientId: '11111111-2222-3333-4444-555555555555', serviceAccounts: ['payments/api'] },
          { clientId: '66666666-7777-8888-9999-000000000000', namespaces: ['reporting'] },
        ],
      },
      server: { enabled: false },
    },
  },
  {
    name: 'server only, one replica, Ingress and extra env',
    release: { Name: 'credless', Namespace: 'sts' },
    values: {
      authorityHost: 'https://login.corp.example',
      webhook: { enabled: false },
      server: {
        replicas: 1,
        port: 9000,
        database: { secretName: 'pg-app', secretKey: 'uri' },
        kek: { secretName: 'sts-kek', secretKey: 'key' },
        ingress: {
          enabled: true,
          className: 'nginx',
          host: 'login.corp.example',
          tlsSecretName: 'login-tls',
        },
        extraEnv: [{ name: 'CREDLESS_FIC_LIMIT', value: 'none' }],
      },
    },
  },
];
