#!/usr/bin/env node
// The credless command's entry point. CommonJS on purpose: it runs before Node's ES module loader
// starts libuv's thread pool, so the pool can still be sized for signing (thread-pool.cjs). The
// command itself is the compiled ES module in ../dist (npm run build).
'use strict';
require('@credless/server/thread-pool').sizeThreadPool();
import('../dist/main.js');
