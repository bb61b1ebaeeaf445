import 'server-only';

/**
 * A Server-Sent Events response from an async stream of events. A comment line every 15 s keeps
 * proxies from closing an idle stream; the stream ends when the events end or the client leaves.
 */
export function sseResponse<T extends { type: string }>(events: AsyncGenerator<T>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let keepAlive: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // the client has gone
        }
      };
      send('retry: 2000\n\n');
      keepAlive = setInterval(() => send(': keep-alive\n\n'), 15_000);
      try {
        for await (const event of events) send(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      } catch (error) {
        send(`event: error\ndata: ${JSON.stringify({ type: 'error', message: (error as Error).message })}\n\n`);
      } finally {
        clearInterval(keepAlive);
        try {
          controller.close();
        } catch {
          // already closed by a cancel
        }
      }
    },
    cancel() {
      clearInterval(keepAlive);
      void events.return(undefined);
    },
  });
  signal.addEventListener('abort', () => clearInterval(keepAlive), { once: true });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
