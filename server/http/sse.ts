import 'server-only';
import { processLogger } from '../logger';

export type SseOptions = {
  /** The request's id: an error event carries it (the details go to the log under it). */
  requestId: string;
  /**
   * Asked every `recheckMs` while the stream is open: false ends it (the session ended, or lost
   * the role the stream needs), as the next request of that session would be refused.
   */
  stillAllowed?: () => Promise<boolean>;
  recheckMs?: number;
  /** Called once when the stream ends, however it ends. */
  onClose?: () => void;
};

/**
 * A Server-Sent Events response from an async stream of events. A comment line every 15 s keeps
 * proxies from closing an idle stream; the stream ends when the events end, the client leaves, or
 * the access it was opened with is gone. An error is sent as a generic `error` event with the
 * request id; its message stays in the log.
 */
export function sseResponse<T extends { type: string }>(events: AsyncGenerator<T>, signal: AbortSignal, options: SseOptions): Response {
  const encoder = new TextEncoder();
  let keepAlive: NodeJS.Timeout | undefined;
  let recheck: NodeJS.Timeout | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    clearInterval(recheck);
    options.onClose?.();
  };
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // the client has gone
        }
      };
      const end = () => {
        close();
        void events.return(undefined);
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      send('retry: 2000\n\n');
      keepAlive = setInterval(() => send(': keep-alive\n\n'), 15_000);
      if (options.stillAllowed) {
        const stillAllowed = options.stillAllowed;
        recheck = setInterval(() => {
          stillAllowed().then(
            (allowed) => {
              if (allowed || closed) return;
              send(`event: error\ndata: ${JSON.stringify({ type: 'error', code: 'unauthenticated', message: 'Access ended: sign in again', requestId: options.requestId })}\n\n`);
              end();
            },
            () => {}, // a failed check (database away) is not a refusal; the next one decides
          );
        }, options.recheckMs ?? 5_000);
      }
      try {
        for await (const event of events) {
          if (closed) break;
          send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        }
      } catch (error) {
        processLogger().error({ err: error, requestId: options.requestId }, 'An event stream failed');
        send(`event: error\ndata: ${JSON.stringify({ type: 'error', code: 'internal', message: 'The stream failed on the server', requestId: options.requestId })}\n\n`);
      } finally {
        end();
      }
    },
    cancel() {
      close();
      void events.return(undefined);
    },
  });
  signal.addEventListener('abort', close, { once: true });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
