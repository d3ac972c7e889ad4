/** The frame of a page about one thing: the breadcrumb back to its list, and the page until it loads. */
import type { ReactNode } from 'react';
import { Link } from '../lib/router.tsx';
import type { Resource } from '../lib/use-resource.ts';
import { ErrorNote, Loading } from './states.tsx';

export function Breadcrumb({ to, parent, here }: { to: string; parent: string; here: string }) {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <Link to={to}>{parent}</Link> <span aria-hidden="true">/</span> {here}
    </nav>
  );
}

/** Shown while `resource` has no value: its error with "Try again", or loading. */
export function DetailPending({
  breadcrumb,
  resource,
  loadingLabel,
}: {
  breadcrumb: ReactNode;
  resource: Pick<Resource<unknown>, 'error' | 'reload'>;
  loadingLabel: string;
}) {
  return (
    <>
      {breadcrumb}
      {resource.error ? (
        <ErrorNote error={resource.error} onRetry={resource.reload} />
      ) : (
        <Loading label={loadingLabel} />
      )}
    </>
  );
}
