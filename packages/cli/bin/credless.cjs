#!/usr/bin/env node
// The credless command's entry point. CommonJS on purpose: it runs before Node's ES module loader
// starts libuv's thread pool, so the pool can still be sized for signing (thread-pool.cjs), and before
// anything at all for `credless up`, which re-executes itself once with a fixed-size young generation
// (young-generation.cjs: a steady load then keeps a flat RSS). The command itself is the compiled ES
// module in ../dist (npm run build).
'use strict';
if (process.argv[2] === 'up') require('@credless/server/young-generation').sizeYoungGeneration();
require('@credless/server/thread-pool').sizeThreadPool();
import('../dist/main.js');
