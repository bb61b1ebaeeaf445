import 'server-only';
import type { StrategyRegistry } from '../warmup/registry';
import type { WarmupStrategy } from '../warmup/strategy';
import { catalogStrategies } from './catalog';
import { identityStrategies } from './identity';

/** Every bounded context's warmup strategies: the policy the engine runs. */
export const allStrategies: WarmupStrategy[] = [...catalogStrategies, ...identityStrategies];

/** Registers every strategy; the registry refuses a name twice (DuplicateStrategyError). */
export function registerStrategies(registry: StrategyRegistry): StrategyRegistry {
  for (const strategy of allStrategies) registry.register(strategy);
  return registry;
}
