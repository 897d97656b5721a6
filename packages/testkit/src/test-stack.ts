/**
 * The usual set-up of a test that exchanges tokens over HTTPS: a test OIDC issuer, a credless that
 * trusts it, and an HTTP client trusting credless's CA — started together, closed together (client,
 * credless, then issuer), so each test file does not repeat the block.
 * @module
 */
import { Agent } from 'undici';
import { type StartTestCredlessOptions, startTestCredless, type TestCredless } from './credless-harness.ts';
import {
  type StartTestOidcIssuerOptions,
  startTestOidcIssuer,
  type TestOidcIssuer,
} from './test-oidc-issuer.ts';

export interface TestStack {
  issuer: TestOidcIssuer;
  credless: TestCredless;
  /** Trusts credless's CA: pass it as `dispatcher` to undici's request/fetch. */
  client: Agent;
  close(): Promise<void>;
}

export interface StartTestStackOptions {
  issuer?: StartTestOidcIssuerOptions;
  /** The issuer's dispatcher is always passed: credless fetches the issuer's keys with it. */
  credless?: Omit<StartTestCredlessOptions, 'issuerDispatcher'>;
}

export async function startTestStack(options: StartTestStackOptions = {}): Promise<TestStack> {
  const issuer = await startTestOidcIssuer(options.issuer);
  let credless: TestCredless;
  try {
    credless = await startTestCredless({ ...options.credless, issuerDispatcher: issuer.dispatcher });
  } catch (error) {
    await issuer.close();
    throw error;
  }
  const client = new Agent({ connect: { ca: credless.caCertPem as string } });
  return {
    issuer,
    credless,
    client,
    async close() {
      await client.close();
      await credless.close();
      await issuer.close();
    },
  };
}
