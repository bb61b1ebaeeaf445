import { describe, expect, it } from 'vitest';
import { fieldLabel, fieldMessage, optionText, ruleLabel, strategyLabel, subjectLabel, withStrategyLabels } from '@/lib/ui/labels';
import { ALERT_RULES } from '@/lib/api/alerts';
import { humanize } from '@/lib/ui/format';

describe('what an operator reads instead of internal names', () => {
  it('names strategies and triggers in words', () => {
    expect(strategyLabel('hot_products')).toBe('Hot products');
    expect(strategyLabel('product_catalog')).toBe('Product catalog');
    expect(strategyLabel('some_new_strategy')).toBe('Some new strategy');
    expect(humanize('catch_up')).toBe('Catch up');
  });

  it('reads a strategy’s options as phrases, not as `activeWithinMinutes 60`', () => {
    expect(optionText('activeWithinMinutes', 60)).toBe('Active within 60 min');
    expect(optionText('topN', 100)).toBe('Top 100');
    expect(optionText('days', 30)).toBe('Sales of the last 30 days');
    expect(optionText('someFlag', true)).toBe('Some flag: on');
  });

  it('drops the field name from a message shown under that field, and puts its label in one shown elsewhere', () => {
    expect(fieldMessage('keyTimeoutMs: must be at most 60000', 'keyTimeoutMs', true)).toBe('Must be at most 60000');
    expect(fieldMessage('keyTimeoutMs: must be at most 60000', 'keyTimeoutMs', false)).toBe('Key timeout: must be at most 60000');
    expect(fieldMessage('email: expected an email address', 'email', false)).toBe('Email: expected an email address');
    expect(fieldMessage('options.topN: too big', 'options.topN', false)).toBe('Top N products: too big');
    expect(fieldMessage('No run with id x', 'id', true)).toBe('No run with id x');
    expect(fieldLabel('alertSuccessRate')).toBe('Alert threshold');
  });

  it('replaces strategy names inside a stored message by their labels, whole words only', () => {
    expect(withStrategyLabels('hot_products: 100 of 100 keys failed; sessions: timeout', ['hot_products', 'sessions'])).toBe(
      'Hot products: 100 of 100 keys failed; Sessions: timeout',
    );
    expect(withStrategyLabels('the key Product:id:hot_products_x failed')).toBe('the key Product:id:hot_products_x failed');
  });

  it('names every alert rule and an incident\u2019s subject in words', () => {
    for (const rule of ALERT_RULES) expect(ruleLabel(rule)).not.toMatch(/_/);
    expect(ruleLabel('governor_floor')).toBe('Governor at its floor');
    expect(ruleLabel('some_new_rule')).toBe('Some new rule');
    expect(subjectLabel('strategy:hot_products')).toBe('Hot products');
    expect(subjectLabel('schedule:3')).toBe('Schedule #3');
    expect(subjectLabel('run:1a2b3c4d-0000-4000-8000-000000000000')).toBe('Run 1a2b3c4d');
    expect(subjectLabel('cache')).toBe('The cache');
    expect(subjectLabel('change-stream')).toBe('The change stream');
    expect(subjectLabel('channel:7')).toBe('Channel 7');
  });
});
