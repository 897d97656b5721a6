// Runs in a child process like a GitHub Actions step: the real @actions/core getIDToken() reads
// ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN from the environment. The token goes to a file, because
// @actions/core writes its own workflow commands (::add-mask::, ::debug::) to standard output.
import { writeFile } from 'node:fs/promises';
import { getIDToken } from '@actions/core';

const [audience, out] = process.argv.slice(2);
await writeFile(out, await getIDToken(audience), { mode: 0o600 });
