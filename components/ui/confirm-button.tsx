'use client';

import { useEffect, useRef, useState } from 'react';
import { Button, type ButtonProps } from './button';

/**
 * A destructive action asked twice, in place: the first click turns the button into the question
 * and its two answers (the question names what will happen; Escape or "Keep" backs out).
 */
export function ConfirmButton({
  question,
  confirmLabel,
  onConfirm,
  busy,
  children,
  ...button
}: Omit<ButtonProps, 'onClick'> & { question: string; confirmLabel: string; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <Button {...button} busy={busy} onClick={() => setAsking(true)}>
        {children}
      </Button>
    );
  }
  return (
    <span role="group" aria-label={question} className="inline-flex items-center gap-2" onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <span className="text-xs text-text">{question}</span>
      <Button
        ref={confirmRef}
        size="sm"
        variant="danger"
        busy={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setAsking(false)}>
        Keep
      </Button>
    </span>
  );
}
