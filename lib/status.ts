/** What the status endpoint and the first page show: the shop's size and whether the backends answer. */
export type BackendStatus = {
  kind: string;
  description: string;
  ok: boolean;
  latencyMs: number;
  error?: string;
  details?: Record<string, string | number | boolean | null>;
};

export type ShopCounts = {
  categories: number;
  products: number;
  activeProducts: number;
  orders: number;
  users: number;
  /** Sessions that have not expired yet. */
  liveSessions: number;
};

export type SystemStatus = {
  shop: ShopCounts | null;
  /** When the shop's counts were taken: a process counts at most every 30 s. */
  shopCountedAt?: string;
  shopError?: string;
  database: BackendStatus;
  cache: BackendStatus;
  startedAt: string;
  checkedAt: string;
};
