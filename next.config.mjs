/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native or long-lived server libraries stay outside the bundle: bundling PGlite breaks its
  // WASM loading at run time, and the others hold sockets that must not be duplicated per chunk.
  serverExternalPackages: ['@electric-sql/pglite', 'ioredis', 'postgres', 'pino', 'node-cron'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
