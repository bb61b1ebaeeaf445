import 'server-only';
import type { Scope } from '../db/schema';
import { AppError } from '../errors';
import { byPriority } from './settings';
import type { ResolvedStrategy } from './strategy';

/**
 * The strategies a scope covers, in the order a run warms them (priority, then name).
 * `all` and tags select the enabled strategies; naming a strategy asks for it explicitly, so a
 * disabled one is refused with the reason rather than silently left out. Unknown names and tags
 * are refused, naming them.
 */
export function strategiesInScope(all: ResolvedStrategy[], scope: Scope): ResolvedStrategy[] {
  let selected: ResolvedStrategy[];
  if ('all' in scope) {
    selected = all.filter((s) => s.enabled);
  } else if ('strategies' in scope) {
    const names = [...new Set(scope.strategies)];
    if (names.length === 0) throw new AppError('invalid_request', 'Name at least one strategy', { field: 'scope.strategies' });
    const unknown = names.filter((n) => !all.some((s) => s.name === n));
    if (unknown.length) {
      throw new AppError('invalid_request', `Unknown strategy: ${unknown.join(', ')} (known: ${all.map((s) => s.name).join(', ')})`, {
        field: 'scope.strategies',
      });
    }
    selected = all.filter((s) => names.includes(s.name));
    const disabled = selected.filter((s) => !s.enabled).map((s) => s.name);
    if (disabled.length) {
      throw new AppError('conflict', `Disabled strategy: ${disabled.join(', ')}; enable it in the settings first`, {
        field: 'scope.strategies',
      });
    }
  } else {
    const tags = [...new Set(scope.tags)];
    if (tags.length === 0) throw new AppError('invalid_request', 'Name at least one tag', { field: 'scope.tags' });
    const known = new Set(all.flatMap((s) => s.strategy.tags));
    const unknown = tags.filter((t) => !known.has(t));
    if (unknown.length) {
      throw new AppError('invalid_request', `Unknown tag: ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`, {
        field: 'scope.tags',
      });
    }
    selected = all.filter((s) => s.enabled && s.strategy.tags.some((t) => tags.includes(t)));
  }
  if (selected.length === 0) {
    throw new AppError('conflict', 'No enabled strategy is in this scope: nothing to warm', { field: 'scope' });
  }
  return selected.sort(byPriority);
}
