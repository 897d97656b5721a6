/**
 * The one entry point to @peculiar/x509: installs the metadata shim it needs and binds it to Node's
 * WebCrypto. Import `x509` from here, never from the package directly.
 * @module
 */
import './reflect-metadata-shim.ts';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };
