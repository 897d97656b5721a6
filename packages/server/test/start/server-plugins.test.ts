/**
 * The plugin hooks of startCredless (start/server-plugin.ts), with a plugin written here: its routes are
 * served on the main listener, its emulated issuer's keys are used by the token path without any
 * fetch, `listening` runs once the public URL is known, and everything it opened closes with the server,
 * after the app.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  clientCredentialsForm,
  createWorkloadScenario,
  requestToken,
  startTestCredless,
  type TestCredless,
} from '@credless/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { Agent, request } from 'undici';
import type { PluginHost, ServerPlugin } from '../../src/index.ts';

// Not resolvable: a fetch of its keys would fail, so a successful exchange proves the plugin answered.
const EMULATED_ISSUER = 'https://emulated.invalid/issuer';
const events: string[] = [];
const { privateKey, publicKey } = await generateKeyPair('RS256');

const probePlugin: ServerPlugin = {
  name: 'probe',
  async open(host: PluginHost) {
    events.push('open');
    return {
      issuerKeys: {
        async verificationKey(issuer) {
          return issuer === EMULATED_ISSUER ? publicKey : undefined;
        },
      },
      routes: async (app) => {
        app.get('/probe', async () => ({ baseUrl: host.baseUrl() }));
      },
      listening: async () => {
        events.push(`listening ${host.baseUrl()}`);
        return () => {
          events.push('stop listening');
        };
      },
      close: () => {
        events.push('close');
      },
    };
  },
};

let credless: TestCredless;
let client: Agent;

before(async () => {
  credless = await startTestCredless({ plugins: [probePlugin] });
  client = new Agent({ connect: { ca: credless.caCertPem as string } });
});
after(async () => {
  await client.close();
});

test('routes serve on the main listener; listening runs after listen, with the public URL known', async () => {
  const response = await request(`${credless.url}/probe`, { dispatcher: client });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(await response.body.json(), { baseUrl: credless.url });
  assert.deepEqual(events, ['open', `listening ${credless.url}`]);
});

test("the token path takes an emulated issuer's key from the plugin, never fetching it", async () => {
  const subject = `job:${randomUUID()}`;
  const scenario = await createWorkloadScenario(credless, { issuer: EMULATED_ISSUER, subject });
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'probe-key' })
    .setIssuer(EMULATED_ISSUER)
    .setSubject(subject)
    .setAudience('api://AzureADTokenExchange')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  const { status, body } = await requestToken(
    credless,
    clientCredentialsForm({ clientId: scenario.appId, assertion }),
    { dispatcher: client },
  );
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(typeof body['access_token'], 'string');
});

test('closing the server stops what listening started, then closes the plugin', async () => {
  await credless.close();
  assert.deepEqual(events.slice(2), ['stop listening', 'close']);
});
