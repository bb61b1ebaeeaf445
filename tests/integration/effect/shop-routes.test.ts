import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as categories from '@/app/api/shop/categories/route';
import * as category from '@/app/api/shop/categories/[id]/route';
import * as product from '@/app/api/shop/products/[id]/route';
import * as recommendation from '@/app/api/shop/recommendations/[list]/route';
import * as session from '@/app/api/shop/sessions/[userId]/route';
import { errorOf, request } from '../../support/api';
import { useTestDatabase } from '../../support/db';
import { useTestRuntime } from '../../support/runtime';

const params = <K extends string>(name: K, value: string) => ({ params: Promise.resolve({ [name]: value } as Record<K, string>) });
const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

async function setup(env: Record<string, string> = {}) {
  const { database } = await useTestDatabase({ shop: true });
  const runtime = await useTestRuntime(database, { env });
  return { database, runtime };
}

describe('the shop read routes', () => {
  it('serve a product without sign-in: a miss first, then a hit, with the cached JSON as the body', async () => {
    const { database, runtime } = await setup();
    const [row] = await database.rows<{ id: number; name: string }>(sql`select id, name from products order by id limit 1`);
    const first = await product.GET(request(`/api/shop/products/${row!.id}`, from('10.0.0.1')), params('id', String(row!.id)));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-kiln-cache')).toBe('miss');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await first.text();
    expect(JSON.parse(body)).toMatchObject({ id: row!.id, name: row!.name });
    expect(await runtime.cache.get(`Product:id:${row!.id}`)).toBe(body);

    const second = await product.GET(request(`/api/shop/products/${row!.id}`, from('10.0.0.1')), params('id', String(row!.id)));
    expect(second.headers.get('x-kiln-cache')).toBe('hit');
    expect(await second.text()).toBe(body);
  });

  it('answer 404 naming the field for nothing there, and 400 naming it for a malformed id or name', async () => {
    const { database } = await setup();
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
    const { database } = await setup();
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
    const { database, runtime } = await setup({ SHOP_RATE_LIMIT_RPS: '3' });
    const [row] = await database.rows<{ id: number }>(sql`select id from products order by id limit 1`);
    const get = (address: string) => product.GET(request(`/api/shop/products/${row!.id}`, from(address)), params('id', String(row!.id)));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('203.0.113.9')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await get('203.0.113.9');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await errorOf(refused)).code).toBe('rate_limited');
    expect((await get('198.51.100.7')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get('203.0.113.9')).status).toBe(200);
    // The refused request read nothing: five reads, the first a miss.
    expect(runtime.shop.counter.pending()).toEqual({ products: { hits: 4, misses: 1, dbQueries: 1 } });
  });
});
