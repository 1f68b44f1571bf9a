import type { ReactNode } from 'react';
import { titleOfStatus, type Failure } from '../logic/operation-outcome';

/** A service's refusal or failure, in its own words (the OperationOutcome's text). */
export function ErrorBox({ failure }: { failure: Failure }) {
  return (
    <div className="error-box" role="alert">
      <p className="error-title">
        {failure.status > 0 ? `${titleOfStatus(failure.status)} (${failure.status})` : 'Erreur'}
      </p>
      <p>{failure.text}</p>
      {failure.code ? <p className="error-code">Code : {failure.code}</p> : null}
    </div>
  );
}

/** What a list shows when it has nothing. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty-state">{children}</p>;
}

/** A long operation under way: announced to screen readers, with a bar when the total is known. */
export function Progress({ label, value, max }: { label: string; value?: number; max?: number }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      <span>{label}</span>
      {value !== undefined && max !== undefined ? (
        <progress value={value} max={max} aria-label={label} />
      ) : (
        <progress aria-label={label} />
      )}
    </div>
  );
}

/** A success message, announced politely. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}
