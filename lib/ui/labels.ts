/**
 * What an operator reads instead of the names the code and the API use: strategy names, their
 * options, and request fields in error messages. The API keeps its names; only the pages translate.
 */

const STRATEGY_LABELS: Record<string, string> = {
  hot_products: 'Hot products',
  recommendations: 'Recommendations',
  categories: 'Categories',
  sessions: 'Sessions',
  product_catalog: 'Product catalog',
};

/** "hot_products" -> "Hot products"; a strategy this list does not know reads the same way. */
export function strategyLabel(name: string): string {
  return STRATEGY_LABELS[name] ?? sentence(name.replace(/_/g, ' '));
}

/** "catch_up" -> "Catch up": a trigger, status or other snake_case word as an operator reads it. */
export function sentence(text: string): string {
  const words = text.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "topN" -> "Top N": a strategy's own setting, as the field label in the settings form. */
const OPTION_LABELS: Record<string, string> = {
  topN: 'Top N products',
  days: 'Sales window (days)',
  size: 'Items per list',
  activeWithinMinutes: 'Active within (min)',
};

export function optionLabel(key: string): string {
  return OPTION_LABELS[key] ?? sentence(key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
}

/** {topN: 100} -> "Top 100": a strategy's setting and its value, read as a phrase. */
export function optionText(key: string, value: unknown): string {
  switch (key) {
    case 'topN':
      return `Top ${String(value)}`;
    case 'days':
      return `Sales of the last ${String(value)} days`;
    case 'size':
      return `${String(value)} per list`;
    case 'activeWithinMinutes':
      return `Active within ${String(value)} min`;
    default:
      return `${optionLabel(key)}: ${typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value)}`;
  }
}

/** The request fields an error can name, as the forms label them. */
const FIELD_LABELS: Record<string, string> = {
  email: 'Email',
  name: 'Name',
  role: 'Role',
  password: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  priority: 'Priority',
  ttlSeconds: 'TTL',
  enabled: 'Enabled',
  rewarmOnChange: 'Re-warm on change',
  defaultTtlSeconds: 'Default TTL',
  batchSize: 'Batch size',
  keyTimeoutMs: 'Key timeout',
  runTimeoutSeconds: 'Run timeout',
  alertSuccessRate: 'Alert threshold',
  concurrency: 'Concurrency',
  maxConcurrency: 'Concurrency ceiling',
  cron: 'Cron expression',
  timezone: 'Time zone',
  scope: 'Scope',
  onlyMissing: 'Only missing keys',
  expiresInDays: 'Expires in days',
  from: 'From',
  to: 'To',
};

/** "options.topN" -> "Top N products", "keyTimeoutMs" -> "Key timeout". */
export function fieldLabel(field: string): string {
  if (field.startsWith('options.')) return optionLabel(field.slice('options.'.length));
  return FIELD_LABELS[field] ?? sentence(field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
}

/**
 * A server message about `field` as a page shows it. Beside the field (`beside`): without the
 * field's name, which the label above already says ("keyTimeoutMs: must be at most 60000" ->
 * "Must be at most 60000"). Elsewhere: with the label instead of the field name.
 */
export function fieldMessage(message: string, field: string | undefined, beside: boolean): string {
  if (!field || !message.startsWith(`${field}: `)) return message;
  const rest = message.slice(field.length + 2);
  return beside ? issueText(rest) : `${fieldLabel(field)}: ${rest}`;
}

/** A schema's message about a field, shown under that field: "is required" -> "Required", "must be …" -> "Must be …". */
export function issueText(message: string): string {
  return message === 'is required' ? 'Required' : sentence(message);
}

/**
 * Strategy names inside a server's sentence ("hot_products: 100 of 100 keys failed") replaced by
 * their labels ("Hot products: 100 of 100 keys failed"), for messages stored with a run.
 */
export function withStrategyLabels(text: string, names: readonly string[] = Object.keys(STRATEGY_LABELS)): string {
  let out = text;
  for (const name of [...names].sort((a, b) => b.length - a.length)) out = out.replace(new RegExp(`\\b${name}\\b`, 'g'), strategyLabel(name));
  return out;
}

/** The alert rules as an operator reads them (the API, the payloads and the rules file keep the ids). */
const RULE_LABELS: Record<string, string> = {
  run_failed: 'Run failed',
  success_rate: 'Success rate low',
  run_late: 'Run late',
  schedule_missed: 'Schedule slot missed',
  job_dead_lettered: 'Shard given up',
  change_stream: 'Change stream',
  replica_fallback: 'Replica fallback',
  governor_floor: 'Governor at its floor',
  prune_failed: 'Pruning failed',
  cache_evictions: 'Cache evicting',
  cache_down: 'Cache unreachable',
  database_down: 'Database unreachable',
};

export function ruleLabel(rule: string): string {
  return RULE_LABELS[rule] ?? sentence(rule);
}

const SUBJECT_LABELS: Record<string, string> = {
  cache: 'The cache',
  database: 'The database',
  replica: 'The read replica',
  retention: 'Retention',
  'change-stream': 'The change stream',
};

/**
 * What an incident or a silence is about: `strategy:hot_products` -> "Hot products",
 * `schedule:3` -> "Schedule #3", `run:<uuid>` -> "Run 1a2b3c4d", `cache` -> "The cache".
 */
export function subjectLabel(subject: string): string {
  if (SUBJECT_LABELS[subject]) return SUBJECT_LABELS[subject];
  const colon = subject.indexOf(':');
  if (colon === -1) return sentence(subject.replace(/-/g, ' '));
  const kind = subject.slice(0, colon);
  const value = subject.slice(colon + 1);
  switch (kind) {
    case 'strategy':
      return strategyLabel(value);
    case 'schedule':
      return `Schedule #${value}`;
    case 'run':
      return `Run ${value.slice(0, 8)}`;
    default:
      return `${sentence(kind.replace(/-/g, ' '))} ${value}`;
  }
}
