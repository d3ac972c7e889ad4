/** The signed-in person and their workspace, shared by every page of the signed-in dashboard. */
import { createContext, useContext } from 'react';
import type { Session, Workspace } from './api.ts';

export interface SessionValue {
  user: Session['user'];
  workspace: Workspace;
  /** Every workspace of the person (the switcher shows when there are several). */
  memberships: Session['memberships'];
  /** The operator's page a portal session came from ("Back to <product>"). */
  returnUrl: string | null;
  switchWorkspace: (workspaceId: string) => Promise<void>;
  /** After the workspace changed (settings saved). */
  setWorkspace: (workspace: Workspace) => void;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}
