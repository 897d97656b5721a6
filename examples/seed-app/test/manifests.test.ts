import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../../deploy/scripts/chart.ts';
import { validateObject } from '../../../deploy/test/support/k8s-schema.ts';
import {
  loadFederatedCredential,
  loadYamlObjects,
  MANIFEST_FILES,
  placeholdersIn,
  readManifest,
  substitute,
} from './manifest-support.ts';

export const SAMPLE_VALUES: Record<string, string> = {
  NAMESPACE: 'azure-workload-identity-system',
  SERVICE_ACCOUNT_NAME: 'workload-identity-sa',
  APPLICATION_CLIENT_ID: '0d2f9a7e-4b1c-4e55-9a3c-2f6b8e1d7c40',
  AZURE_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  AKS_OIDC_ISSUER: 'https://norwayeast.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/5c1b/',
  ACR_NAME: 'credlessacr4821',
  IMAGE_TAG: '42',
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
  BACKEND_URL: 'http://workload-identity-backend',
};

// biome-ignore lint/suspicious/noExplicitAny: walking parsed manifests field by field
type Obj = Record<string, any>;

describe('sample app manifests', () => {
  test('every YAML file parses as written, placeholders included', async () => {
    for (const file of MANIFEST_FILES.filter((name) => name.endsWith('.yaml'))) {
      const documents = parseAllDocuments(await readManifest(file));
      assert.ok(documents.length > 0, file);
      for (const document of documents) assert.deepEqual(document.errors, [], file);
    }
  });

  test('the placeholders are exactly the ones the README documents', async () => {
    const used = new Set<string>();
    for (const file of MANIFEST_FILES)
      for (const name of placeholdersIn(await readManifest(file))) used.add(name);
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const documented = new Set(
      [...readme.matchAll(/^\| `\$\{([A-Z0-9_]+)\}` +\|/gm)].map((match) => match[1]),
    );
    assert.deepEqual([...used].sort(), [...documented].sort());
    assert.deepEqual([...used].sort(), Object.keys(SAMPLE_VALUES).sort());
  });

  test('an unfilled placeholder is an error, not kept', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a manifest placeholder, not a template
    assert.throws(() => substitute('name: ${NAMESPACE}', {}), /no value for the placeholder \$\{NAMESPACE\}/);
  });

  test('with sample values every object validates against the Kubernetes schema', async () => {
    const objects: Obj[] = [];
    for (const file of MANIFEST_FILES.filter((name) => name.endsWith('.yaml'))) {
      objects.push(...(await loadYamlObjects(file, SAMPLE_VALUES)));
    }
    assert.deepEqual(
      objects.map((object) => `${object['kind']}/${object['metadata']?.name}`),
      [
        'ServiceAccount/workload-identity-sa',
        'Deployment/workload-identity-backend',
        'Deployment/workload-identity-frontend',
        'Service/workload-identity-backend',
        'Service/workload-identity-frontend',
      ],
    );
    for (const object of objects) validateObject(object as K8sObject);
  });

  test('the backend runs as the annotated service account, opted in to the webhook', async () => {
    const [serviceAccount] = (await loadYamlObjects('serviceaccount.yaml', SAMPLE_VALUES)) as Obj[];
    assert.deepEqual(serviceAccount?.['metadata'].annotations, {
      'azure.workload.identity/client-id': SAMPLE_VALUES['APPLICATION_CLIENT_ID'],
      'azure.workload.identity/tenant-id': SAMPLE_VALUES['AZURE_TENANT_ID'],
    });
    const [backend, frontend] = (await loadYamlObjects('deployment.yaml', SAMPLE_VALUES)) as Obj[];
    const pod = backend?.['spec'].template;
    assert.equal(pod.metadata.labels['azure.workload.identity/use'], 'true');
    assert.equal(pod.spec.serviceAccountName, serviceAccount?.['metadata'].name);
    assert.equal(pod.spec.containers[0].image, 'credlessacr4821.azurecr.io/workload-identity-backend:42');
    // The frontend holds no identity.
    assert.equal(frontend?.['spec'].template.metadata.labels['azure.workload.identity/use'], undefined);
    const services = (await loadYamlObjects('service.yaml', SAMPLE_VALUES)) as Obj[];
    for (const [index, deployment] of [backend, frontend].entries()) {
      const pod = deployment?.['spec'].template;
      assert.deepEqual(services[index]?.['spec'].selector, { app: pod.metadata.labels.app });
      assert.equal(
        services[index]?.['spec'].ports[0].targetPort,
        pod.spec.containers[0].ports[0].containerPort,
      );
    }
  });

  test("the federated credential names the service account's subject", async () => {
    const credential = await loadFederatedCredential(SAMPLE_VALUES);
    assert.equal(credential['issuer'], SAMPLE_VALUES['AKS_OIDC_ISSUER']);
    assert.equal(
      credential['subject'],
      'system:serviceaccount:azure-workload-identity-system:workload-identity-sa',
    );
    assert.deepEqual(credential['audiences'], ['api://AzureADTokenExchange']);
  });
});
