/**
 * The one entry point to @peculiar/x509: loads the Reflect metadata polyfill its dependency injection
 * (tsyringe) requires, and binds it to Node's WebCrypto. Import `x509` from here, never from the package.
 * @module
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
