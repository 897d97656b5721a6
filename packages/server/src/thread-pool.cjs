// Sizes libuv's thread pool for credless, which signs every access token on it (`crypto.sign` with a
// callback: one RSA-2048 private-key operation, ~0.27 ms of CPU). Node's default is 4 threads whatever
// the machine: on 2 CPUs, four signing threads and the event loop all compete for the cores, the event
// loop (which parses requests and feeds the signers) waits its turn and cores go idle; on 16 CPUs,
// signing uses only four. One thread per CPU (at least 2, at most 16) measured better on 2 CPUs
// (bench/README.md). UV_THREADPOOL_SIZE set by the operator always wins.
//
// CommonJS on purpose: libuv reads the variable when the pool first starts, and Node's ESM loader
// starts it while loading the first ES module, so this must run from a CommonJS entry point before
// any ES module loads (packages/cli/bin/credless.cjs), or be passed in the environment of a child.
'use strict';
const { availableParallelism } = require('node:os');

const MIN_THREADS = 2;
const MAX_THREADS = 16;

/** The pool size credless wants on this machine. */
function threadPoolSize() {
  return Math.min(MAX_THREADS, Math.max(MIN_THREADS, availableParallelism()));
}

/** Sets UV_THREADPOOL_SIZE in `env` unless the operator already did; returns the size in effect. */
function sizeThreadPool(env = process.env) {
  if (!env.UV_THREADPOOL_SIZE) env.UV_THREADPOOL_SIZE = String(threadPoolSize());
  return env.UV_THREADPOOL_SIZE;
}

module.exports = { threadPoolSize, sizeThreadPool };
