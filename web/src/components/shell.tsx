/** The signed-in frame: navigation (a drawer on phones), the workspace, the person and sign-out. */
import { type ReactNode, useState } from 'react';
import { PRODUCT_NAME } from '../lib/product.ts';
import { Link, usePath } from '../lib/router.tsx';
import { useSession } from '../session.tsx';

const NAV = [
  {
    section: 'Settings',
    items: [
      { to: '/settings/api-keys', label: 'API keys' },
      { to: '/settings/integrations', label: 'Private integrations' },
      { to: '/settings/webhooks', label: 'Webhooks' },
      { to: '/settings/workspace', label: 'Workspace' },
    ],
  },
  {
    section: 'Activity',
    items: [
      { to: '/usage', label: 'Usage' },
      { to: '/audit-log', label: 'Audit log' },
    ],
  },
  { section: 'People', items: [{ to: '/team', label: 'Team' }] },
];

export function Shell({ children }: { children: ReactNode }) {
  const { user, workspace, memberships, returnUrl, switchWorkspace, signOut } = useSession();
  const path = usePath();
  // The menu is open on the page it was opened on: following a link closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === path;
  const setOpen = (next: boolean) => setOpenOn(next ? path : null);

  return (
    <div className={`shell ${open ? 'nav-open' : ''}`}>
      <header className="topbar">
        <button
          type="button"
          className="icon-button menu-button"
          aria-label={open ? 'Close menu' : 'Open menu'}
          aria-expanded={open}
          aria-controls="sidebar"
          onClick={() => setOpen(!open)}
        >
          ☰
        </button>
        <Link to="/settings/api-keys" className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          {PRODUCT_NAME}
        </Link>
        {memberships.length > 1 ? (
          <select
            className="topbar-workspace"
            aria-label="Workspace"
            title={workspace.id}
            value={workspace.id}
            onChange={(event) => void switchWorkspace(event.target.value)}
          >
            {memberships.map((m) => (
              <option key={m.workspace_id} value={m.workspace_id}>
                {m.workspace_name}
              </option>
            ))}
          </select>
        ) : (
          <span className="topbar-workspace" title={workspace.id}>
            {workspace.name}
          </span>
        )}
        {returnUrl && (
          <a className="button button-ghost button-small back-link" href={returnUrl} target="_top">
            ← Back to {PRODUCT_NAME}
          </a>
        )}
        <div className="topbar-user">
          <span className="user-email">{user.email}</span>
          <span className={`tag role-${user.role}`}>{user.role}</span>
          <button type="button" className="button button-ghost button-small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Dashboard">
        <div className="sidebar-inner">
          {NAV.map((group) => (
            <div key={group.section} className="nav-group">
              <p className="nav-heading">{group.section}</p>
              <ul>
                {group.items.map((item) => {
                  const current = path === item.to || path.startsWith(`${item.to}/`);
                  return (
                    <li key={item.to}>
                      <Link to={item.to} className="nav-link" aria-current={current ? 'page' : undefined}>
                        {item.label}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </div>
      </nav>
      {open && (
        <button
          type="button"
          className="scrim"
          aria-label="Close menu"
          tabIndex={-1}
          onClick={() => setOpen(false)}
        />
      )}
      <main className="content" id="main">
        {children}
      </main>
    </div>
  );
}

export function PageHeader({
  title,
  children,
  actions,
}: {
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {children && <p className="page-lede">{children}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
