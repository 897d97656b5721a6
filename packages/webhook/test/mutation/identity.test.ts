import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION } from '../../src/mutation/constants.ts';
import { identityFromServiceAccount } from '../../src/mutation/identity.ts';
import { CLIENT_ID, serviceAccount, TENANT } from '../support.ts';

describe('rule: client and tenant from the ServiceAccount', () => {
  const other = '0a0a0a0a-0000-0000-0000-000000000000';
  const cases: Array<
    [string, Record<string, string>, string | undefined, { clientId?: string; tenantId?: string }]
  > = [
    [
      'client id annotation, configured tenant',
      { [CLIENT_ID_ANNOTATION]: CLIENT_ID },
      TENANT,
      { clientId: CLIENT_ID, tenantId: TENANT },
    ],
    [
      'tenant annotation wins over configuration',
      { [TENANT_ID_ANNOTATION]: other },
      TENANT,
      { tenantId: other },
    ],
    ['empty tenant annotation still wins (nothing injected)', { [TENANT_ID_ANNOTATION]: '' }, TENANT, {}],
    ['no annotations, no configured tenant', {}, undefined, {}],
    ['whitespace client id counts as absent', { [CLIENT_ID_ANNOTATION]: '  ' }, TENANT, { tenantId: TENANT }],
    ['values are trimmed', { [CLIENT_ID_ANNOTATION]: ` ${CLIENT_ID} ` }, undefined, { clientId: CLIENT_ID }],
  ];
  for (const [name, annotations, tenantId, expected] of cases)
    test(name, () =>
      assert.deepEqual(identityFromServiceAccount(serviceAccount(annotations), { tenantId }), {
        clientId: expected.clientId,
        tenantId: expected.tenantId,
      }),
    );
});
