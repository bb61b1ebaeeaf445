'use client';

import { type FormEvent, useState } from 'react';
import type { AlertRule } from '@/lib/api/alerts';
import { ruleLabel, subjectLabel } from '@/lib/ui/labels';
import { useCreateSilenceMutation } from '../api/alerts';
import { ApiError, errorMessage } from '../api/api-fetch';
import { Button } from '../ui/button';
import { SelectField, TextField } from '../ui/field';

/** What "Silence…" on an incident fills in (`at` tells one press from the next). */
export type SilencePreset = { rule: string; subject: string; at: number };

/**
 * Mutes a rule, a subject (a strategy, a schedule, a run, the cache…) or both for some hours. The
 * subjects offered are the page's known ones, in words; the API takes their ids (`strategy:hot_products`).
 */
export function SilenceForm({ rules, subjects, preset }: { rules: AlertRule[]; subjects: string[]; preset?: SilencePreset | null }) {
  const create = useCreateSilenceMutation();
  const [rule, setRule] = useState(preset?.rule ?? '');
  const [subject, setSubject] = useState(preset?.subject ?? '');
  const [hours, setHours] = useState('2');
  const [reason, setReason] = useState('');
  const field = create.error instanceof ApiError ? create.error.field : undefined;
  const message = create.error ? errorMessage(create.error) : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const until = new Date(Date.now() + Number(hours) * 3_600_000).toISOString();
    create.mutate({ rule: (rule || null) as AlertRule | null, subject: subject || null, until, reason: reason || null }, { onSuccess: () => (setSubject(''), setReason('')) });
  };
  return (
    <form onSubmit={submit} className="grid items-end gap-3 sm:grid-cols-2 lg:grid-cols-5" aria-label="Silence alerts">
      <SelectField label="Rule" value={rule} onChange={(e) => setRule(e.target.value)} error={field === 'rule' ? message : undefined}>
        <option value="">Every rule</option>
        {rules.map((r) => (
          <option key={r} value={r}>
            {ruleLabel(r)}
          </option>
        ))}
      </SelectField>
      <SelectField label="About" value={subject} onChange={(e) => setSubject(e.target.value)} error={field === 'subject' ? message : undefined}>
        <option value="">Anything</option>
        {(subject && !subjects.includes(subject) ? [subject, ...subjects] : subjects).map((s) => (
          <option key={s} value={s}>
            {subjectLabel(s)}
          </option>
        ))}
      </SelectField>
      <TextField label="For hours" type="number" min={1} max={720} value={hours} onChange={(e) => setHours(e.target.value)} error={field === 'until' ? message : undefined} />
      <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} />
      <Button type="submit" busy={create.isPending}>
        Silence
      </Button>
    </form>
  );
}
