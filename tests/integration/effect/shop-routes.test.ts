import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as categories from '@/app/api/shop/categories/route';
import * as category from '@/app/api/shop/categories/[id]/route';
import * as product from '@/app/api/shop/products/[id]/route';
import * as recommendation from '@/app/api/shop/recommendations/[list]/route';
import * as session from '@/app/api/shop/sessions/[userId]/route';
import { GET as listRuns } from '@/app/api/runs/route';
import { GET as me } from '@/app/api/auth/me/route';
import { POST as login } from '@/app/api/auth/login/route';
import { type Call, apiTokenFor, authTablesDigest, errorOf, request, request as requestAs, signedIn } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

const params = <K extends string>(name: K, value: string) => ({ params: Promise.resolve({ [name]: value } as Record<K, string>) });

async function setup(env: Record<string, string> = {}) {
  const { database } = await useTestDatabase({ shop: true });
  const runtime = await useTestRuntime(database, { env });
  const reader = await apiTokenFor(database, 'shop_reader');
  // Requests as the shop's backend sends them: a shop_reader token, from an address of its own.
  const as = (extra: Call = {}): Call => ({ token: reader.secret, ...extra });
  return { database, runtime, reader, as };
}

describe('the shop read routes', () => {
  it('answer 401 to anyone without a credential, on every route, read nothing and write nothing', async () => {
    const { database, runtime } = await setup();
    const before = await authTablesDigest(database);
    const responses = [
      await categories.GET(request('/api/shop/categories'), undefined),
      await category.GET(request('/api/shop/categories/1'), params('id', '1')),
      await product.GET(request('/api/shop/products/1'), params('id', '1')),
      await recommendation.GET(request('/api/shop/recommendations/homepage'), params('list', 'homepage')),
      // Walking user ids for their sessions, as the attack did: nothing, for any of them.
      ...(await Promise.all([1, 2, 3, 4, 5].map((id) => session.GET(request(`/api/shop/sessions/${id}`), params('userId', String(id)))))),
    ];
    for (const response of responses) expect(await errorOf(response)).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await authTablesDigest(database)).toEqual(before);
    expect(runtime.shop.counter.pending()).toEqual({});
    expect(runtime.refusals.pending().get('192.0.2.1')?.count).toBe(responses.length);
  });

  it('serve a shop_reader token and any signed-in operator, and nothing else to a shop_reader token', async () => {
    const { database, reader } = await setup();
    const viewer = await signedIn(database, 'viewer');
    const tree = (call: Call) => categories.GET(request('/api/shop/categories', call), undefined);
    expect((await tree({ token: reader.secret })).status).toBe(200);
    expect((await tree({ session: viewer.session })).status).toBe(200);
    // The token's role opens the shop's reads and nothing of the control room.
    expect(await errorOf(await listRuns(request('/api/runs', { token: reader.secret }), undefined))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await errorOf(await me(request('/api/auth/me', { token: reader.secret }), undefined))).toMatchObject({ status: 403 });
    // No operator can hold the role, so nobody signs in with it.
    const refused = await database.rows(sql`insert into operators (email, name, password_hash, role) values ('s@example.com', 's', 'x', 'shop_reader')`).catch((error: Error) => error);
    expect(String((refused as Error).cause)).toMatch(/operators_role_not_token_only/);
    expect((await login(request('/api/auth/login', { body: { email: 's@example.com', password: 'whatever it is' } }), undefined)).status).toBe(401);
  });

  it('do not serve an inactive product as if it were for sale, cached or not', async () => {
    const { database, runtime, as } = await setup();
    const [row] = await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit 1`);
    const get = () => product.GET(request(`/api/shop/products/${row!.id}`, as()), params('id', String(row!.id)));
    expect((await get()).status).toBe(200); // now cached, as active
    await database.rows(sql`update products set status = 'inactive' where id = ${row!.id}`);
    await runtime.cache.delete([`Product:id:${row!.id}`]);
    expect(await errorOf(await get())).toMatchObject({ status: 404, field: 'id' });
    // A value warmed before the product was switched off is not served either.
    const stale = JSON.stringify({ id: row!.id, status: 'inactive', name: 'switched off' });
    await runtime.cache.setMany([{ key: `Product:id:${row!.id}`, value: stale, ttlSeconds: 60 }]);
    expect(await errorOf(await get())).toMatchObject({ status: 404, field: 'id' });
  });

  it('serve a product: a miss first, then a hit, with the cached JSON as the body', async () => {
    const { database, runtime, as } = await setup();
    const [row] = await database.rows<{ id: number; name: string }>(sql`select id, name from products where status = 'active' order by id limit 1`);
    const first = await product.GET(request(`/api/shop/products/${row!.id}`, as()), params('id', String(row!.id)));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-kiln-cache')).toBe('miss');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await first.text();
    expect(JSON.parse(body)).toMatchObject({ id: row!.id, name: row!.name });
    expect(await runtime.cache.get(`Product:id:${row!.id}`)).toBe(body);

    const second = await product.GET(request(`/api/shop/products/${row!.id}`, as()), params('id', String(row!.id)));
    expect(second.headers.get('x-kiln-cache')).toBe('hit');
    expect(await second.text()).toBe(body);
  });

  it('answer 404 naming the field for nothing there, and 400 naming it for a malformed id or name', async () => {
    const { database, reader } = await setup();
    const request = (path: string) => requestAs(path, { token: reader.secret });
    const [lonely] = await database.rows<{ id: number }>(sql`
      select u.id from shop_users u
      where not exists (select 1 from shop_sessions s where s.user_id = u.id and s.expires_at > now()) order by u.id limit 1`);
    const cases: [Promise<Response>, number, string][] = [
      [product.GET(request('/api/shop/products/2000000'), params('id', '2000000')), 404, 'id'],
      [category.GET(request('/api/shop/categories/99999'), params('id', '99999')), 404, 'id'],
      [recommendation.GET(request('/api/shop/recommendations/unknown_list'), params('list', 'unknown_list')), 404, 'list'],
      [session.GET(request(`/api/shop/sessions/${lonely!.id}`), params('userId', String(lonely!.id))), 404, 'userId'],
      [product.GET(request('/api/shop/products/abc'), params('id', 'abc')), 400, 'id'],
      [product.GET(request('/api/shop/products/0'), params('id', '0')), 400, 'id'],
      [product.GET(request('/api/shop/products/012'), params('id', '012')), 400, 'id'],
      [product.GET(request('/api/shop/products/99999999999'), params('id', '99999999999')), 400, 'id'],
      [category.GET(request('/api/shop/categories/-1'), params('id', '-1')), 400, 'id'],
      [recommendation.GET(request('/api/shop/recommendations/Home-Page'), params('list', 'Home-Page')), 400, 'list'],
      [session.GET(request('/api/shop/sessions/1.5'), params('userId', '1.5')), 400, 'userId'],
    ];
    for (const [response, status, field] of cases) {
      const error = await errorOf(await response);
      expect(error, JSON.stringify(error)).toMatchObject({ status, field });
    }
  });

  it('serve the category tree, a category, a recommendation list and a live session', async () => {
    const { database, reader } = await setup();
    const request = (path: string) => requestAs(path, { token: reader.secret });
    const [cat] = await database.rows<{ id: number }>(sql`select id from categories where level = 1 order by id limit 1`);
    const [user] = await database.rows<{ id: number }>(sql`
      select user_id as id from shop_sessions where expires_at > now() order by user_id limit 1`);
    const responses = [
      await categories.GET(request('/api/shop/categories'), undefined),
      await category.GET(request(`/api/shop/categories/${cat!.id}`), params('id', String(cat!.id))),
      await recommendation.GET(request('/api/shop/recommendations/best_sellers'), params('list', 'best_sellers')),
      await session.GET(request(`/api/shop/sessions/${user!.id}`), params('userId', String(user!.id))),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const [tree, one, list, live] = await Promise.all(responses.map((r) => r.json()));
    expect(tree.children.length).toBeGreaterThan(0);
    expect(one.id).toBe(cat!.id);
    expect(list.list).toBe('best_sellers');
    expect(live.userId).toBe(user!.id);
  });

  it('limit each client address: 429 with Retry-After beyond the rate, other addresses still served', async () => {
    const { database, runtime, as } = await setup({ SHOP_RATE_LIMIT_RPS: '3' });
    const [row] = await database.rows<{ id: number }>(sql`select id from products where status = 'active' order by id limit 1`);
    const get = (address: string, forged?: string) =>
      product.GET(request(`/api/shop/products/${row!.id}`, as({ peer: address, headers: forged ? { 'x-forwarded-for': forged } : {} })), params('id', String(row!.id)));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('203.0.113.9')).status);
    expect(statuses).toEqual([200, 200, 200]);
    // A made-up X-Forwarded-For changes nothing: the peer is the client.
    expect((await get('203.0.113.9', '192.0.2.200')).status).toBe(429);
    const refused = await get('203.0.113.9');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await errorOf(refused)).code).toBe('rate_limited');
    expect((await get('198.51.100.7')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get('203.0.113.9')).status).toBe(200);
    // The refused requests read nothing: five reads, the first a miss.
    expect(runtime.shop.counter.pending()).toEqual({ products: { hits: 4, misses: 1, dbQueries: 1 } });
  });
});
