// Node 20 exposes WebCrypto's CryptoKey globally at run time; @types/node@20 does not declare it.
declare global {
  type CryptoKey = import('node:crypto').webcrypto.CryptoKey;
}

export {};
