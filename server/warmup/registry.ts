import 'server-only';
import { STRATEGY_NAME } from '@/lib/api/names';
import type { WarmupStrategy } from './strategy';

export class DuplicateStrategyError extends Error {
  constructor(name: string) {
    super(`A strategy named "${name}" is already registered`);
    this.name = this.constructor.name;
  }
}


/**
 * Every strategy Kiln knows, by name. Names and tags that arrive in requests are checked against
 * this registry before anything else uses them.
 */
export class StrategyRegistry {
  readonly #strategies = new Map<string, WarmupStrategy>();

  register(strategy: WarmupStrategy): this {
    if (!STRATEGY_NAME.test(strategy.name)) {
      throw new Error(`Strategy name "${strategy.name}" must be snake_case letters and digits (2-63 characters)`);
    }
    if (this.#strategies.has(strategy.name)) throw new DuplicateStrategyError(strategy.name);
    if (!strategy.tags.includes(strategy.context)) {
      throw new Error(`Strategy "${strategy.name}" must list its context "${strategy.context}" among its tags`);
    }
    this.#strategies.set(strategy.name, strategy);
    return this;
  }

  get(name: string): WarmupStrategy | undefined {
    return this.#strategies.get(name);
  }

  has(name: string): boolean {
    return this.#strategies.has(name);
  }

  list(): WarmupStrategy[] {
    return [...this.#strategies.values()];
  }

  names(): string[] {
    return [...this.#strategies.keys()];
  }

  /** Every tag any strategy carries (contexts included). */
  tags(): string[] {
    return [...new Set(this.list().flatMap((s) => s.tags))].sort();
  }
}
