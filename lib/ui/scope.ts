import type { Scope } from '@/lib/api/runs';
import { humanize } from './format';

/** What a run or a schedule covers, in words: "all strategies", "hot products, categories", "tags catalog". */
export function describeScope(scope: Scope): string {
  if ('all' in scope) return 'all strategies';
  if ('strategies' in scope) return scope.strategies.map(humanize).join(', ');
  return `tags ${scope.tags.join(', ')}`;
}
