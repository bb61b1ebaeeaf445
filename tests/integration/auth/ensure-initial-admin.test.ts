import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { INITIAL_PASSWORD_FILE, ensureInitialAdmin } from '@/server/auth/ensure-initial-admin';
import { verifyPassword } from '@/server/auth/passwords';
import { parseConfig } from '@/server/config';
import type { Database } from '@/server/db/client';
import { useTestDatabase } from '../../support/db';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiln-admin-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'data');
}

async function admins(database: Database) {
  return database.rows<{ email: string; role: string; password_hash: string }>(sql`select email, role, password_hash from operators`);
}

describe('ensureInitialAdmin', () => {
  it('creates the admin named by KILN_ADMIN_EMAIL and KILN_ADMIN_PASSWORD, once', async () => {
    const { database } = await useTestDatabase();
    const dataDir = tempDataDir();
    const config = parseConfig({ KILN_DATA_DIR: dataDir, KILN_ADMIN_EMAIL: 'Boss@Example.com', KILN_ADMIN_PASSWORD: 'a configured password' });
    const { logger, lines } = captureLogger();
    expect(await ensureInitialAdmin(database, config, logger)).toEqual({ created: true, email: 'boss@example.com' });
    expect(await ensureInitialAdmin(database, config, logger)).toEqual({ created: false });
    const rows = await admins(database);
    expect(rows.map((r) => [r.email, r.role])).toEqual([['boss@example.com', 'admin']]);
    expect(await verifyPassword(rows[0]!.password_hash, 'a configured password')).toBe(true);
    expect(fs.existsSync(path.join(dataDir, INITIAL_PASSWORD_FILE))).toBe(false);
    expect(lines.join('')).not.toContain('a configured password');
  });

  it('without a password, generates one, logs it once and writes it to a file only its owner can read', async () => {
    const { database } = await useTestDatabase();
    const dataDir = tempDataDir();
    const { logger, lines } = captureLogger();
    const result = await ensureInitialAdmin(database, parseConfig({ KILN_DATA_DIR: dataDir }), logger);
    const file = path.join(dataDir, INITIAL_PASSWORD_FILE);
    expect(result).toEqual({ created: true, email: 'admin@kiln.local', passwordFile: file });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const password = fs.readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    const [row] = await admins(database);
    expect(await verifyPassword(row!.password_hash, password)).toBe(true);
    expect(lines.filter((l) => l.includes(password))).toHaveLength(1);
    const [audit] = await database.rows<{ actor: string; action: string }>(sql`select actor, action from audit_log where action = 'operator.create'`);
    expect(audit).toEqual({ actor: 'system', action: 'operator.create' });
  });

  it('creates a single admin when several processes start at once', async () => {
    const { database } = await useTestDatabase();
    const dataDir = tempDataDir();
    const config = parseConfig({ KILN_DATA_DIR: dataDir });
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureInitialAdmin(database, config, pino({ level: 'silent' }))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await admins(database)).toHaveLength(1);
  });
});
