import 'server-only';
import { type CacheAsideDeps, type ReadResult, readThrough } from '../reads/cache-aside';
import { categoryRead } from './catalog/read-category';
import { categoryTreeRead } from './catalog/read-category-tree';
import { productRead } from './catalog/read-product';
import { recommendationRead } from './catalog/read-recommendation';
import { isRecommendationList } from './catalog/recommendation-lists';
import { sessionRead } from './identity/read-session';

export type { ReadResult };

/**
 * The reads the shop makes, each a cache-aside read through the key its context's strategy warms,
 * counted per key family. `value` is the JSON text, null when there is nothing (404).
 */
export class ShopReads {
  constructor(readonly deps: CacheAsideDeps) {}

  /**
   * An inactive product is not served (404 like a missing one): the warmers may cache it (a top
   * seller switched off keeps its key until it expires), but the shop must not show it as for sale.
   */
  async product(id: number): Promise<ReadResult> {
    const result = await readThrough(this.deps, productRead(id));
    if (result.value !== null && (JSON.parse(result.value) as { status?: string }).status !== 'active') return { value: null, hit: result.hit };
    return result;
  }

  category(id: number): Promise<ReadResult> {
    return readThrough(this.deps, categoryRead(id));
  }

  categoryTree(): Promise<ReadResult> {
    return readThrough(this.deps, categoryTreeRead());
  }

  /** A list name the shop does not have reads nothing (and is not counted): null. */
  async recommendation(list: string): Promise<ReadResult> {
    if (!isRecommendationList(list)) return { value: null, hit: false };
    return readThrough(this.deps, recommendationRead(list));
  }

  session(userId: number): Promise<ReadResult> {
    return readThrough(this.deps, sessionRead(userId));
  }
}
