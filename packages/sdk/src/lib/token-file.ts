/**
 * The projected federated token file. The kubelet (or a CI runner) replaces it as tokens rotate, so it
 * is re-read whenever it changed; "changed" is decided by one cheap stat (inode, size, mtime, ctime),
 * not by reading the file on every use. stat follows symlinks, so the kubelet's atomic `..data`
 * symlink swap shows up as a new inode.
 * @internal
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { CredlessSdkError } from '../errors.ts';

/** The file-system calls used, injectable so tests can count reads. */
export interface TokenFileSystem {
  stat(path: string): Promise<{ ino: number; size: number; mtimeMs: number; ctimeMs: number }>;
  readFile(path: string): Promise<string>;
}

const nodeFileSystem: TokenFileSystem = {
  stat: (path) => stat(path),
  readFile: (path) => readFile(path, 'utf8'),
};

export class FederatedTokenFile {
  readonly path: string;
  readonly #fs: TokenFileSystem;
  #signature: string | undefined;
  #content = '';

  constructor(path: string, fs: TokenFileSystem = nodeFileSystem) {
    this.path = path;
    this.#fs = fs;
  }

  /** The current token, re-read only when the file changed since the last read. */
  async read(): Promise<string> {
    let signature: string;
    try {
      const info = await this.#fs.stat(this.path);
      signature = `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
      if (signature === this.#signature) return this.#content;
      const content = (await this.#fs.readFile(this.path)).trim();
      if (content === '') {
        throw new CredlessSdkError('ERR_TOKEN_FILE', `the federated token file ${this.path} is empty`);
      }
      this.#content = content;
    } catch (error) {
      if (error instanceof CredlessSdkError) throw error;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new CredlessSdkError(
        'ERR_TOKEN_FILE',
        `cannot read the federated token file ${this.path} (${reason}); is the service account token projected into the pod?`,
        { cause: error },
      );
    }
    this.#signature = signature;
    return this.#content;
  }

  /**
   * Forget what was read, so the next read() reads again even when the stat looks the same (a rewrite
   * within the file system's timestamp granularity). Called after the STS refused an assertion.
   */
  invalidate(): void {
    this.#signature = undefined;
  }
}
