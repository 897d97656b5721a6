/**
 * What bin/credless.cjs imports once the thread pool is sized: runs the command line with this
 * process's arguments and leaves its exit code for Node to use.
 * @module
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv);
