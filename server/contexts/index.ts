import 'server-only';
import type { StrategyRegistry } from '../warmup/registry';
import type { WarmupStrategy } from '../warmup/strategy';
import type { ChangeRule } from '../freshness/change';
import { catalogStrategies } from './catalog';
import { catalogChangeRules } from './catalog/change-rules';
import { identityStrategies } from './identity';
import { identityChangeRules } from './identity/change-rules';

/** Every bounded context's warmup strategies: the policy the engine runs. */
export const allStrategies: WarmupStrategy[] = [...catalogStrategies, ...identityStrategies];

/** Every bounded context's declarations of which keys a change to its shop rows affects (server/freshness). */
export const allChangeRules: ChangeRule[] = [...catalogChangeRules, ...identityChangeRules];

/** Registers every strategy; the registry refuses a name twice (DuplicateStrategyError). */
export function registerStrategies(registry: StrategyRegistry): StrategyRegistry {
  for (const strategy of allStrategies) registry.register(strategy);
  return registry;
}
