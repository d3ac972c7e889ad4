/**
 * The dashboard: first-run setup while no user exists, sign-in without a session, and the signed-in
 * pages inside the shell otherwise.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, onSessionEnded, rememberSession, type Session, type Workspace } from './api.ts';
import { Shell } from './components/shell.tsx';
import { ErrorNote, Loading } from './components/states.tsx';
import { PRODUCT_NAME } from './lib/product.ts';
import { navigate, Redirect, usePath } from './lib/router.tsx';
import { asApiError } from './lib/use-resource.ts';
import { SetupPage } from './pages/setup.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { Routes } from './routes.tsx';
import { SessionContext, type SessionValue } from './session.tsx';

type Boot =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'setup' }
  | { state: 'signed-out'; notice?: string }
  | { state: 'signed-in'; session: Session };

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const path = usePath();
  // Where to go after signing in: the page that was asked for (paths hold ids, never secrets).
  const returnTo = useRef(
    path.startsWith('/settings') ||
      path.startsWith('/usage') ||
      path.startsWith('/audit') ||
      path.startsWith('/team')
      ? path
      : '/settings/api-keys',
  );

  const signedIn = useCallback((session: Session) => {
    rememberSession(session);
    setBoot({ state: 'signed-in', session });
  }, []);

  useEffect(() => {
    onSessionEnded(() => {
      rememberSession(undefined);
      setBoot({ state: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' });
    });
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` re-runs the boot after a failure
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        if ((await api.setupStatus()).needed) return live && setBoot({ state: 'setup' });
        signedIn(await api.session());
      } catch (err) {
        const error = asApiError(err);
        if (!live) return;
        if (error.status === 401) setBoot({ state: 'signed-out' });
        else setBoot({ state: 'failed', message: error.message });
      }
    })();
    return () => {
      live = false;
    };
  }, [signedIn, attempt]);

  const session = boot.state === 'signed-in' ? boot.session : undefined;
  const value = useMemo<SessionValue | null>(() => {
    if (!session) return null;
    return {
      user: session.user,
      workspace: session.workspace,
      memberships: session.memberships,
      returnUrl: session.return_url,
      switchWorkspace: async (workspaceId: string) => {
        signedIn(await api.switchWorkspace(workspaceId));
        navigate('/settings/api-keys');
      },
      setWorkspace: (workspace: Workspace) =>
        setBoot({ state: 'signed-in', session: { ...session, workspace } }),
      signOut: async () => {
        try {
          await api.signOut();
        } finally {
          rememberSession(undefined);
          setBoot({ state: 'signed-out', notice: 'You are signed out.' });
          navigate('/sign-in', { replace: true });
        }
      },
    };
  }, [session, signedIn]);

  switch (boot.state) {
    case 'loading':
      return (
        <main className="center-page">
          <Loading label={`Opening ${PRODUCT_NAME}…`} />
        </main>
      );
    case 'failed':
      return (
        <main className="center-page">
          <ErrorNote error={boot.message} onRetry={() => setAttempt((n) => n + 1)} />
        </main>
      );
    case 'setup':
      if (path !== '/setup') return <Redirect to="/setup" />;
      return <SetupPage onDone={signedIn} />;
    case 'signed-out':
      if (path !== '/sign-in') {
        if (path !== '/' && path !== '/setup') returnTo.current = path;
        return <Redirect to="/sign-in" />;
      }
      return <SignInPage onSignedIn={signedIn} notice={boot.notice} />;
    case 'signed-in':
      if (path === '/setup' || path === '/sign-in' || path === '/') return <Redirect to={returnTo.current} />;
      return (
        <SessionContext.Provider value={value}>
          <Shell>
            {/* A new workspace is a new page: nothing loaded for the previous one stays on screen. */}
            <Routes key={boot.session.workspace.id} path={path} />
          </Shell>
        </SessionContext.Provider>
      );
  }
}
