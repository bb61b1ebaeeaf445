// The shop's own tables: what Kiln reads to warm the cache. Kiln never writes to them except
// through the demo-data generator. (No 'server-only' import: drizzle-kit loads this file.)
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const productStatus = pgEnum('product_status', ['active', 'inactive']);

export const orderStatus = pgEnum('order_status', [
  'pending',
  'paid',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
]);

/** Order statuses that mean the money arrived and the order went ahead ("paid or later"). */
export const PAID_OR_LATER = ['paid', 'processing', 'shipped', 'delivered'] as const;

export const categories = pgTable(
  'categories',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    parentId: integer('parent_id').references((): AnyPgColumn => categories.id, { onDelete: 'restrict' }),
    level: smallint('level').notNull(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    check('categories_level_range', sql`${t.level} between 1 and 3`),
    check('categories_root_has_no_parent', sql`(${t.level} = 1) = (${t.parentId} is null)`),
    index('categories_parent_idx').on(t.parentId),
  ],
);

export type CartItem = { productId: number; quantity: number; unitPrice: string };
export type Cart = { items: CartItem[]; currency: string };

export const products = pgTable(
  'products',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    description: text('description').notNull().default(''),
    price: numeric('price', { precision: 12, scale: 2 }).notNull(),
    currency: text('currency').notNull().default('EUR'),
    stock: integer('stock').notNull().default(0),
    status: productStatus('status').notNull().default('active'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('products_price_not_negative', sql`${t.price} >= 0`),
    check('products_stock_not_negative', sql`${t.stock} >= 0`),
    index('products_category_idx').on(t.categoryId),
    index('products_active_created_idx').on(t.createdAt.desc()).where(sql`${t.status} = 'active'`),
  ],
);

export const shopUsers = pgTable(
  'shop_users',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    createdAt: createdAt(),
    lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
  },
  (t) => [index('shop_users_last_active_idx').on(t.lastActiveAt.desc())],
);

export const shopSessions = pgTable(
  'shop_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: integer('user_id')
      .notNull()
      .references(() => shopUsers.id, { onDelete: 'cascade' }),
    cart: jsonb('cart').$type<Cart>().notNull().default({ items: [], currency: 'EUR' }),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('shop_sessions_user_idx').on(t.userId, t.expiresAt.desc())],
);

export const orders = pgTable(
  'orders',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => shopUsers.id, { onDelete: 'restrict' }),
    status: orderStatus('status').notNull().default('pending'),
    total: numeric('total', { precision: 12, scale: 2 }).notNull(),
    currency: text('currency').notNull().default('EUR'),
    createdAt: createdAt(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
  },
  (t) => [
    // Sales rankings read "paid in the last N days": this index serves them.
    index('orders_paid_at_idx').on(t.paidAt).where(sql`${t.paidAt} is not null`),
    index('orders_user_idx').on(t.userId),
    check('orders_paid_has_paid_at', sql`${t.status} in ('pending', 'cancelled') or ${t.paidAt} is not null`),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    orderId: integer('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'restrict' }),
    quantity: integer('quantity').notNull(),
    unitPrice: numeric('unit_price', { precision: 12, scale: 2 }).notNull(),
  },
  (t) => [
    check('order_items_quantity_positive', sql`${t.quantity} > 0`),
    index('order_items_order_idx').on(t.orderId),
    index('order_items_product_idx').on(t.productId),
  ],
);

export type Category = typeof categories.$inferSelect;
export type Product = typeof products.$inferSelect;
export type ShopUser = typeof shopUsers.$inferSelect;
export type ShopSession = typeof shopSessions.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type OrderItem = typeof orderItems.$inferSelect;
