'use client';

import { useEffect, useRef, useState } from 'react';
import { Button, type ButtonProps } from './button';

/**
 * A destructive action asked twice: the first click opens the question and its two answers just
 * under the button, over the page (the question names what will happen; Escape, "Keep" or the
 * button again backs out).
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
  const anchorRef = useRef<HTMLSpanElement>(null);
  const [place, setPlace] = useState<{ top: number; right: number } | null>(null);
  useEffect(() => {
    if (!asking) return;
    // Fixed to the button, so that no scroll container (a table's on a phone) clips it.
    const follow = () => {
      const box = anchorRef.current?.getBoundingClientRect();
      if (box) setPlace({ top: box.bottom + 4, right: Math.max(8, document.documentElement.clientWidth - box.right) });
    };
    follow();
    window.addEventListener('scroll', follow, true);
    window.addEventListener('resize', follow);
    return () => {
      window.removeEventListener('scroll', follow, true);
      window.removeEventListener('resize', follow);
    };
  }, [asking]);
  const placed = place !== null;
  useEffect(() => {
    if (asking && placed) confirmRef.current?.focus();
    if (!asking) setPlace(null);
  }, [asking, placed]);
  // The question opens beside the button, over the page, not in the row: asking must not reflow
  // a table (a wider actions cell moved every row under the pointer).
  return (
    <span ref={anchorRef} className="inline-flex" onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <Button {...button} busy={busy} aria-expanded={asking} onClick={() => setAsking((a) => !a)}>
        {children}
      </Button>
      {asking ? (
        <span
          role="group"
          aria-label={question}
          style={place ? { position: 'fixed', top: place.top, right: place.right } : { position: 'fixed', visibility: 'hidden' }}
          className="z-30 flex w-max max-w-[min(18rem,calc(100vw-2rem))] flex-wrap items-center justify-end gap-2 rounded-md border border-border bg-panel p-2 text-left shadow-lg"
        >
          <span className="basis-full text-xs text-text">{question}</span>
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
      ) : null}
    </span>
  );
}
