import 'server-only';
import { sql } from 'drizzle-orm';
import type { Database } from '../client';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORY_TREE,
  COLORS,
  FIRST_NAMES,
  LAST_NAMES,
  MEDIAN_PRICE,
  QUALITIES,
  type CategorySpec,
  nounFor,
} from './catalog-data';
import { type CopySink, copyValue, openCopySink } from './copy-sink';
import { Random, ZipfSampler } from './random';

export type SeedOptions = {
  products: number;
  seed: number;
  /** The moment the data is built around (orders of the 60 days before it, sessions live at it). */
  now?: Date;
  /** Empties the shop tables first; without it a non-empty shop is refused. */
  reset?: boolean;
  onProgress?: (progress: SeedProgress) => void;
};
export type SeedProgress = { table: string; rows: number; expected: number; totalRows: number; totalExpected: number };
export type SeedResult = { rows: Record<string, number>; totalRows: number; seconds: number; rowsPerSecond: number };

export class ShopNotEmptyError extends Error {
  constructor(products: number) {
    super(`The shop already has ${products} products; pass --reset to replace its data`);
    this.name = this.constructor.name;
  }
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ORDER_DAYS = 60;
/** About five order items per product, two items per order on average. */
const ITEMS_PER_PRODUCT = 5;
const SHOP_TABLES = ['order_items', 'orders', 'shop_sessions', 'shop_users', 'products', 'categories'];

/** Planned sizes for a product count: what the progress bar counts towards. */
export function plannedSizes(products: number) {
  const users = Math.max(300, Math.round(products / 4));
  const items = products * ITEMS_PER_PRODUCT;
  const orders = Math.round(items / 2);
  return { products, users, orders, items, sessions: Math.round(users * 0.3) };
}

/**
 * Builds a believable shop, the same for the same seed and `now`: a category tree, products whose
 * sales follow a long tail (Zipf, s = 1.1) with a few trending up in the last week, 60 days of
 * orders, and users of whom some were active in the last hour with live sessions and carts.
 */
export async function seedShop(database: Database, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const now = (options.now ?? new Date()).getTime();
  const plan = plannedSizes(options.products);
  const totalExpected = plan.products + plan.users + plan.orders * 2 + plan.sessions;
  const counts: Record<string, number> = {};
  let totalRows = 0;
  const progress = (table: string, expected: number) => {
    let rows = 0;
    return (n = 1) => {
      rows += n;
      totalRows += n;
      counts[table] = rows;
      if (rows % 25_000 === 0 || rows === expected) {
        options.onProgress?.({ table, rows, expected, totalRows, totalExpected });
      }
    };
  };

  await prepareTables(database, options.reset ?? false);

  const random = new Random(options.seed);
  const leaves = await loadCategories(database, now, progress('categories', 0));
  const catalog = await loadProducts(database, random, leaves, plan.products, now, progress('products', plan.products));
  const users = await loadUsers(database, random, plan.users, now, progress('shop_users', plan.users));
  // Orders and their items are written in two passes replaying the same random stream, so items
  // always reference committed orders and neither list has to sit in memory.
  const orderSeed = random.int(1, 2 ** 31);
  await loadOrders(database, new Random(orderSeed), catalog, plan, now, 'orders', progress('orders', plan.orders));
  await loadOrders(database, new Random(orderSeed), catalog, plan, now, 'order_items', progress('order_items', plan.items));
  await loadSessions(database, random, catalog, users, now, progress('shop_sessions', plan.sessions));

  for (const table of SHOP_TABLES) {
    await database.rows(
      sql.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), coalesce((select max(id) from ${table}), 0) + 1, false) as v`),
    ).catch(() => {}); // shop_sessions has a uuid key: no sequence
  }
  await database.rows(sql.raw(`analyze ${SHOP_TABLES.join(', ')}`));

  const seconds = (performance.now() - started) / 1000;
  return { rows: counts, totalRows, seconds, rowsPerSecond: Math.round(totalRows / seconds) };
}

async function prepareTables(database: Database, reset: boolean): Promise<void> {
  const [row] = await database.rows<{ n: number }>(sql`select count(*)::int as n from products`);
  const existing = row?.n ?? 0;
  if (existing > 0 && !reset) throw new ShopNotEmptyError(existing);
  if (reset) await database.rows(sql.raw(`truncate ${SHOP_TABLES.join(', ')} restart identity cascade`));
}

type Leaf = { id: number; name: string; topName: string };

async function loadCategories(database: Database, now: number, tick: () => void): Promise<Leaf[]> {
  const sink = await openCopySink(database, 'categories', ['id', 'parent_id', 'level', 'name', 'slug', 'position', 'created_at']);
  const created = new Date(now - 730 * DAY).toISOString();
  const leaves: Leaf[] = [];
  let nextId = 1;
  const walk = async (specs: CategorySpec[], parent: { id: number; slug: string } | null, level: number, topName: string | null) => {
    for (const [position, spec] of specs.entries()) {
      const id = nextId++;
      const slug = (parent ? `${parent.slug}-` : '') + kebab(spec.name);
      await sink.row([String(id), copyValue(parent?.id ?? null), String(level), copyValue(spec.name), slug, String(position), created]);
      tick();
      const top = topName ?? spec.name;
      if (spec.children?.length) await walk(spec.children, { id, slug }, level + 1, top);
      else if (level > 1) leaves.push({ id, name: spec.name, topName: top });
    }
  };
  await walk(CATEGORY_TREE, null, 1, null);
  await sink.end();
  return leaves;
}

/** What later tables need to know of each product, kept in typed arrays (a million fit in ~16 MB). */
type Catalog = {
  count: number;
  priceCents: Int32Array;
  createdAt: Float64Array;
  /** Product ids by sales rank: rank 0 is the best seller. */
  byRank: Int32Array;
  popularity: ZipfSampler;
  /** Products whose sales jump in the last week. */
  trending: Int32Array;
};

async function loadProducts(
  database: Database,
  random: Random,
  leaves: Leaf[],
  count: number,
  now: number,
  tick: () => void,
): Promise<Catalog> {
  const columns = ['id', 'category_id', 'name', 'slug', 'description', 'price', 'currency', 'stock', 'status', 'attributes', 'created_at', 'updated_at'];
  const sink = await openCopySink(database, 'products', columns);
  const priceCents = new Int32Array(count + 1);
  const createdAt = new Float64Array(count + 1);
  // Ids follow creation time; the newest 2% arrived in the last 14 days (the "new arrivals").
  const catalogStart = now - 730 * DAY;
  const recentFrom = Math.floor(count * 0.98);
  for (let id = 1; id <= count; id++) {
    const leaf = random.pick(leaves);
    const name = `${random.pick(ADJECTIVES)} ${nounFor(leaf.name)} ${random.pick(QUALITIES)}`;
    const price = Math.max(1, Math.round(random.logNormal(MEDIAN_PRICE[leaf.topName] ?? 40, 0.6))) - 0.01;
    priceCents[id] = Math.round(price * 100);
    const created =
      id > recentFrom
        ? now - 14 * DAY + ((id - recentFrom) / (count - recentFrom + 1)) * 14 * DAY - random.int(0, HOUR)
        : catalogStart + (id / recentFrom) * 716 * DAY;
    createdAt[id] = created;
    const attributes = {
      brand: random.pick(BRANDS),
      color: random.pick(COLORS),
      rating: Math.round((3 + random.next() * 2) * 10) / 10,
      weightGrams: random.int(50, 5000),
    };
    await sink.row([
      String(id),
      String(leaf.id),
      copyValue(name),
      `${kebab(name)}-${id}`,
      copyValue(`${name}: a ${attributes.color} ${nounFor(leaf.name).toLowerCase()} by ${attributes.brand}.`),
      (priceCents[id]! / 100).toFixed(2),
      'EUR',
      String(random.chance(0.05) ? 0 : random.int(1, 500)),
      random.chance(0.04) ? 'inactive' : 'active',
      copyValue(JSON.stringify(attributes)),
      new Date(created).toISOString(),
      new Date(Math.min(now, created + random.int(0, 30) * DAY)).toISOString(),
    ]);
    tick();
  }
  await sink.end();

  const byRank = random.permutation(count);
  // Trending products come from the middle of the ranking: known, but not yet best sellers.
  const trendingCount = Math.min(20, Math.max(5, Math.round(count / 1000)));
  const trending = new Int32Array(trendingCount);
  const from = Math.min(count - 1, 50);
  const to = Math.min(count - 1, Math.max(from, 2000));
  for (let i = 0; i < trendingCount; i++) {
    // Established products only, so "trending" means growth over a week that had sales too.
    let id = byRank[random.int(from, to)]!;
    for (let tries = 0; createdAt[id]! > now - 30 * DAY && tries < 20; tries++) id = byRank[random.int(from, to)]!;
    trending[i] = id;
  }
  return { count, priceCents, createdAt, byRank, popularity: new ZipfSampler(count, 1.1), trending };
}

type Users = { count: number; lastActive: Float64Array };

async function loadUsers(database: Database, random: Random, count: number, now: number, tick: () => void): Promise<Users> {
  const sink = await openCopySink(database, 'shop_users', ['id', 'email', 'name', 'created_at', 'last_active_at']);
  const lastActive = new Float64Array(count + 1);
  for (let id = 1; id <= count; id++) {
    const created = now - random.int(1, 730) * DAY;
    const r = random.next();
    // 8% active in the last hour, 20% more in the last day, most in the last two months, a few never.
    const active =
      r < 0.08 ? now - random.int(0, HOUR - 1000)
      : r < 0.28 ? now - random.int(HOUR, DAY)
      : r < 0.95 ? now - random.int(DAY, ORDER_DAYS * DAY)
      : NaN;
    lastActive[id] = Number.isNaN(active) ? NaN : Math.max(active, created);
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    await sink.row([
      String(id),
      `${first}.${last}.${id}@example.com`.toLowerCase(),
      copyValue(`${first} ${last}`),
      new Date(created).toISOString(),
      Number.isNaN(lastActive[id]!) ? '\\N' : new Date(lastActive[id]!).toISOString(),
    ]);
    tick();
  }
  await sink.end();
  return { count, lastActive };
}

function pickProduct(random: Random, catalog: Catalog, at: number, lastWeek: boolean): number {
  if (lastWeek && random.chance(0.2)) return catalog.trending[random.int(0, catalog.trending.length - 1)]!;
  for (let attempt = 0; attempt < 4; attempt++) {
    const id = catalog.byRank[catalog.popularity.sample(random)]!;
    if (catalog.createdAt[id]! <= at) return id; // nobody buys a product before it exists
  }
  return catalog.byRank[0]!;
}

function orderStatus(random: Random, ageDays: number): string {
  const r = random.next();
  if (ageDays > 7) return r < 0.86 ? 'delivered' : r < 0.91 ? 'cancelled' : r < 0.96 ? 'refunded' : 'shipped';
  if (ageDays > 2) return r < 0.45 ? 'delivered' : r < 0.8 ? 'shipped' : r < 0.9 ? 'processing' : r < 0.95 ? 'cancelled' : 'pending';
  return r < 0.15 ? 'pending' : r < 0.45 ? 'paid' : r < 0.75 ? 'processing' : r < 0.93 ? 'shipped' : 'cancelled';
}

/** One pass over the orders: writes either the orders or their items, from the same random stream. */
async function loadOrders(
  database: Database,
  random: Random,
  catalog: Catalog,
  plan: ReturnType<typeof plannedSizes>,
  now: number,
  table: 'orders' | 'order_items',
  tick: () => void,
): Promise<void> {
  const sink: CopySink =
    table === 'orders'
      ? await openCopySink(database, 'orders', ['id', 'user_id', 'status', 'total', 'currency', 'created_at', 'paid_at'])
      : await openCopySink(database, 'order_items', ['id', 'order_id', 'product_id', 'quantity', 'unit_price']);
  const start = now - ORDER_DAYS * DAY;
  const span = ORDER_DAYS * DAY - 5 * 60_000;
  let itemId = 0;
  let itemsLeft = plan.items;
  for (let orderId = 1; orderId <= plan.orders; orderId++) {
    // Orders grow a little over the period (exponent < 1 packs later days more densely).
    const at = start + Math.pow((orderId - 1 + random.next()) / plan.orders, 0.9) * span;
    const userId = random.int(1, plan.users);
    const lastWeek = now - at < 7 * DAY;
    const r = random.next();
    let lines = r < 0.45 ? 1 : r < 0.75 ? 2 : r < 0.9 ? 3 : random.int(4, 6);
    const remainingOrders = plan.orders - orderId;
    lines = orderId === plan.orders ? Math.max(1, itemsLeft) : Math.max(1, Math.min(lines, itemsLeft - remainingOrders));
    itemsLeft -= lines;
    let totalCents = 0;
    for (let l = 0; l < lines; l++) {
      const productId = pickProduct(random, catalog, at, lastWeek);
      const q = random.next();
      const quantity = q < 0.7 ? 1 : q < 0.9 ? 2 : random.int(3, 5);
      const unitCents = catalog.priceCents[productId]!;
      totalCents += unitCents * quantity;
      itemId++;
      if (table === 'order_items') {
        await sink.row([String(itemId), String(orderId), String(productId), String(quantity), (unitCents / 100).toFixed(2)]);
        tick();
      }
    }
    const status = orderStatus(random, (now - at) / DAY);
    const paidAt = status === 'pending' || status === 'cancelled' ? null : at + random.int(30_000, 600_000);
    if (table === 'orders') {
      await sink.row([
        String(orderId),
        String(userId),
        status,
        (totalCents / 100).toFixed(2),
        'EUR',
        new Date(at).toISOString(),
        paidAt === null ? '\\N' : new Date(Math.min(paidAt, now)).toISOString(),
      ]);
      tick();
    }
  }
  await sink.end();
}

async function loadSessions(
  database: Database,
  random: Random,
  catalog: Catalog,
  users: Users,
  now: number,
  tick: () => void,
): Promise<void> {
  const sink = await openCopySink(database, 'shop_sessions', ['id', 'user_id', 'cart', 'created_at', 'last_seen_at', 'expires_at']);
  for (let userId = 1; userId <= users.count; userId++) {
    const active = users.lastActive[userId]!;
    if (Number.isNaN(active)) continue;
    const age = now - active;
    // Most users active in the last hour hold a live session; some of the last day still do;
    // older sessions have expired. "Active" and "has a live session" are deliberately not the same set.
    const live = age < HOUR ? random.chance(0.85) : age < DAY ? random.chance(0.25) : false;
    const expired = !live && random.chance(age < DAY ? 0.6 : 0.15);
    if (!live && !expired) continue;
    const items = [];
    const lines = live ? random.int(0, 4) : random.int(0, 2);
    for (let l = 0; l < lines; l++) {
      const productId = pickProduct(random, catalog, active, false);
      items.push({ productId, quantity: random.int(1, 3), unitPrice: (catalog.priceCents[productId]! / 100).toFixed(2) });
    }
    const expiresAt = live ? now + random.int(15 * 60_000, 24 * HOUR) : active + random.int(10 * 60_000, 30 * 60_000);
    await sink.row([
      uuidFrom(random),
      String(userId),
      copyValue(JSON.stringify({ items, currency: 'EUR' })),
      new Date(active - random.int(0, 2 * HOUR)).toISOString(),
      new Date(active).toISOString(),
      new Date(Math.min(expiresAt, live ? Infinity : now - 1000)).toISOString(),
    ]);
    tick();
  }
  await sink.end();
}

function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random.next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function kebab(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
