// Sizes V8's young generation (new space) of the server process. V8 starts it small (1 MB) and doubles
// it whenever the bytes that survived scavenges since the last doubling exceed its size, up to a maximum
// derived from the heap limit (a 64 MB semi-space, 128 MB of new space, on this project's machines).
// Under a steady token load few objects survive, so the doublings come minutes apart, each adding its
// size to the resident set for good: a flat load reads as a growing RSS (a soak saw new space go from
// 16 to 32 MB mid-run, RSS +11%). A fixed size (minimum = maximum) keeps the footprint constant from
// the first scavenge; 8 MB semi-spaces are what that soak had after its warm-up, and `npm run bench`
// measured no throughput cost (bench/README.md, Soak).
//
// The sizes are V8 start-up flags, and Node refuses --min-semi-space-size in NODE_OPTIONS, so the bin
// re-executes itself with them in the same process (process.execve: same pid, stdio and signals), before
// anything else runs. An operator's own --max-semi-space-size / --min-semi-space-size (command line or
// NODE_OPTIONS) wins. CommonJS: it runs from the CommonJS bin, before any ES module loads.
'use strict';

const SEMI_SPACE_MB = 8;
/** The V8 flags that fix the young generation's size. */
const YOUNG_GENERATION_FLAGS = [
  `--min-semi-space-size=${SEMI_SPACE_MB}`,
  `--max-semi-space-size=${SEMI_SPACE_MB}`,
];

const SIZES_YOUNG_GENERATION = /--(max|min)[-_]semi[-_]space[-_]size/;

/** Whether the young generation is already sized (by us after the re-exec, or by the operator). */
function youngGenerationSized(execArgv = process.execArgv, env = process.env) {
  return (
    execArgv.some((flag) => SIZES_YOUNG_GENERATION.test(flag)) ||
    SIZES_YOUNG_GENERATION.test(env.NODE_OPTIONS ?? '')
  );
}

/**
 * Re-executes this process (the node binary it runs on) with YOUNG_GENERATION_FLAGS unless already
 * sized. Returns only when it does not re-execute: already sized, or no process.execve (Windows, Node
 * before 22.15), where V8's default growth stays, which costs memory, not correctness. Node aborts if
 * the kernel refuses the exec; NODE_OPTIONS=--max-semi-space-size=<MB> skips it.
 */
function sizeYoungGeneration() {
  if (youngGenerationSized() || typeof process.execve !== 'function') return;
  process.execve(
    process.execPath,
    [process.execPath, ...YOUNG_GENERATION_FLAGS, ...process.execArgv, ...process.argv.slice(1)],
    process.env,
  );
}

module.exports = { YOUNG_GENERATION_FLAGS, youngGenerationSized, sizeYoungGeneration };
