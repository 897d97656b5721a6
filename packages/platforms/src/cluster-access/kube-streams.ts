/**
 * Long-lived answers of the cluster API (watches, `logs -f`): the response is taken over from Fastify
 * and written as it goes (chunked). Every open stream ends when its client goes away, when its own
 * time is up, or when the listener closes (a server close must not wait for a watch).
 * @module
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface OpenStream {
  /** Writes a chunk; false once the stream has ended. */
  write(chunk: string | Buffer): boolean;
  /** Ends the stream (once); the stream's cleanup runs. */
  end(): void;
  readonly ended: boolean;
}

export class KubeStreams {
  readonly #open = new Set<OpenStream>();

  /** Ends every open stream before the listener closes. */
  constructor(app: FastifyInstance) {
    app.addHook('preClose', (done) => {
      for (const stream of [...this.#open]) stream.end();
      done();
    });
  }

  /** Starts a 200 streamed answer; `cleanup` runs once when it ends, whoever ends it. */
  open(reply: FastifyReply, contentType: string, cleanup: () => void): OpenStream {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // Headers now, so the client sees the stream start before the first chunk.
    raw.flushHeaders();
    let ended = false;
    const stream: OpenStream = {
      write: (chunk) => {
        if (ended) return false;
        raw.write(chunk);
        return true;
      },
      end: () => {
        if (ended) return;
        ended = true;
        this.#open.delete(stream);
        cleanup();
        if (!raw.writableEnded) raw.end();
      },
      get ended() {
        return ended;
      },
    };
    this.#open.add(stream);
    raw.once('close', () => stream.end());
    return stream;
  }
}
