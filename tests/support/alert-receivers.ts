import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { onTestFinished } from 'vitest';

/** One POST as it arrived; `remotePort` is the sender's end of the connection (which process sent it). */
export type ReceivedPost = { at: number; headers: http.IncomingHttpHeaders; body: string; json: Record<string, unknown>; remotePort: number };

/**
 * A real HTTP receiver on loopback (port 0 unless given) that records every POST and answers 200.
 * `down()` closes it (connections refused); `up()` listens again on the same port. `hold()` makes
 * it record POSTs but keep their answers back (a slow receiver: the sender waits) until `release()`.
 */
export async function startWebhookReceiver(port = 0) {
  const received: ReceivedPost[] = [];
  const sockets = new Set<import('node:net').Socket>();
  let holding = false;
  const held: http.ServerResponse[] = [];
  const answer = (response: http.ServerResponse) => {
    if (!response.destroyed) response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    const remotePort = request.socket.remotePort ?? 0;
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body);
      } catch {}
      received.push({ at: Date.now(), headers: request.headers, body, json, remotePort });
      if (holding) held.push(response);
      else answer(response);
    });
  };
  let server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (s: http.Server, p: number) => new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(p, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
  });
  const boundPort = await listen(server, port);
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  onTestFinished(close);
  return {
    url: `http://127.0.0.1:${boundPort}/hook`,
    port: boundPort,
    received,
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const response of held.splice(0)) answer(response);
    },
    down: close,
    up: async () => {
      server = http.createServer(handler);
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await listen(server, boundPort);
    },
  };
}

/** Checks X-Kiln-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>. */
export function validSignature(post: ReceivedPost, secret: string): boolean {
  const header = String(post.headers['x-kiln-signature'] ?? '');
  const expected = `sha256=${createHmac('sha256', secret).update(post.body).digest('hex')}`;
  return header.length === expected.length && timingSafeEqual(Buffer.from(header), Buffer.from(expected));
}

export type ReceivedMail = { from: string; to: string[]; raw: string; subject: string };

/** A real SMTP receiver (smtp-server) on loopback, plain SMTP (KILN_SMTP_TLS=off), no authentication. */
export async function startSmtpReceiver() {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? '',
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received, env: { KILN_SMTP_HOST: '127.0.0.1', KILN_SMTP_PORT: String(port), KILN_SMTP_TLS: 'off', KILN_SMTP_FROM: 'Kiln <kiln@test.local>' } };
}
