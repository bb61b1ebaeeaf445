#!/usr/bin/env node
// Kiln's HTTP server: Next.js's request handler (the built app, `next({ dev: false })`) behind a
// plain node:http server, so that every request carries the connection's peer address, which
// `next start` gives route handlers no way to learn. It overwrites the x-kiln-peer request header
// with the socket's address (a client cannot set it) and marks the process so the app believes
// that header (server/http/edge.ts). Everything else is Next.js's own: `npm start` (start.mjs),
// the tests and the e2e server all run this file. Usage: node server/cli/http-server.mjs [port] [host]
// (host: the address to listen on; default all interfaces, as `next start`).
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const next = require('next');

const port = Number(process.argv[2] || process.env.PORT || 3000);
process.env.PORT = String(port); // what the app's configuration reports
const hostname = process.argv[3] || undefined;
process.env.NODE_ENV = 'production';

// Read by server/http/edge.ts in this same process (route handlers share its globalThis).
globalThis.__kilnPeerHeader = true;

const app = next({ dev: false, dir: root, port, hostname });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  req.headers['x-kiln-peer'] = req.socket.remoteAddress ?? '';
  handle(req, res).catch((error) => {
    console.error('Unhandled error serving', req.url, error);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal error');
  });
});
// As `next start` does: idle keep-alive sockets do not outlive a load balancer's own timeout.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => console.log(`Kiln listening on http://${hostname ?? 'localhost'}:${port}`));
// SIGTERM and SIGINT are the app's (server/boot.ts: finish or stop the current run, save it, exit).
