import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Content,
  Header,
  HeaderGlobalBar,
  HeaderMenuItem,
  HeaderName,
  HeaderNavigation,
  InlineLoading,
  InlineNotification,
  Theme,
} from '@carbon/react';
import { bearerCredentials, currentSession, fetchConsoleConfig, logout, makeApi } from './api.js';
import { completeSignIn } from './oidc.js';
import SignIn from './SignIn.jsx';
import { navigate, useRoute } from './router.js';
import AccessCheck from './AccessCheck.jsx';
import Authorizations from './Authorizations.jsx';
import Entities from './Entities.jsx';

// Camunda Identity's tabs: Users only in BASIC mode (OIDC users live in the identity provider),
// Mapping rules only in OIDC mode (BASIC has no tokens to map), Tenants only when tenant checks
// are on.
const PAGES = [
  { key: 'authorizations', label: 'Authorizations' },
  { key: 'users', label: 'Users', kind: 'user', when: (c) => c.authMode === 'BASIC' },
  { key: 'groups', label: 'Groups', kind: 'group' },
  { key: 'roles', label: 'Roles', kind: 'role' },
  { key: 'tenants', label: 'Tenants', kind: 'tenant', when: (c) => c.tenantChecks },
  { key: 'mapping-rules', label: 'Mapping rules', kind: 'mappingRule', when: (c) => c.authMode === 'OIDC' },
  { key: 'access-check', label: 'Access check', custom: AccessCheck },
];

export default function App() {
  const [config, setConfig] = useState(null);
  const [configError, setConfigError] = useState('');
  const [session, setSession] = useState(null);
  const [expired, setExpired] = useState('');
  const route = useRoute();

  const [resuming, setResuming] = useState(true);
  const [signInError, setSignInError] = useState('');

  useEffect(() => {
    fetchConsoleConfig().then(setConfig, (e) => setConfigError(e.message));
  }, []);

  // A reload keeps a BASIC session (the cookie); an OIDC sign-in returns here with its code.
  useEffect(() => {
    if (!config) return;
    const resume = async () => {
      let credentials = null;
      if (config.authMode === 'BASIC') {
        const current = await currentSession();
        if (current) credentials = { csrfToken: current.csrfToken };
      } else if (config.oidc) {
        const token = await completeSignIn(config.oidc);
        if (token) credentials = bearerCredentials(token);
      }
      if (credentials) setSession({ credentials, me: await makeApi(credentials).get('/v2/authentication/me') });
    };
    resume()
      .catch((e) => setSignInError(e.status === 401 ? `Sign-in refused: ${e.message}` : e.message))
      .finally(() => setResuming(false));
  }, [config]);

  const sessionRef = useRef(null);
  sessionRef.current = session;
  const signOut = useCallback((reason) => {
    // Ends the server's session too; its answer clears the cookie.
    const csrfToken = sessionRef.current?.credentials.csrfToken;
    if (csrfToken) logout(csrfToken).catch(() => {});
    setSession(null);
    setExpired(reason || '');
  }, []);

  const api = useMemo(
    () =>
      session
        ? makeApi(session.credentials, (e) => signOut(`Signed out: ${e.message}`))
        : null,
    [session, signOut],
  );

  if (configError) {
    return (
      <InlineNotification kind="error" title="The console cannot reach its server" subtitle={configError} hideCloseButton />
    );
  }
  if (!config || resuming) return <InlineLoading description="Loading…" />;

  if (!session) {
    return (
      <Theme theme="g10" className="console-signin-page">
        {expired && <InlineNotification kind="warning" title="Session ended" subtitle={expired} lowContrast />}
        <SignIn
          config={config}
          error={signInError}
          onSignedIn={(s) => {
            setExpired('');
            setSession(s);
          }}
        />
      </Theme>
    );
  }

  const pages = PAGES.filter((p) => !p.when || p.when(config));
  const page = pages.find((p) => p.key === route[0]) ?? pages[0];
  return (
    <>
      <Theme theme="g100">
        <Header aria-label="Clearance Identity">
          <HeaderName href="/identity/" prefix="Clearance">
            Identity
          </HeaderName>
          <HeaderNavigation aria-label="Identity">
            {pages.map((p) => (
              <HeaderMenuItem
                key={p.key}
                href={`/identity/${p.key}`}
                isActive={p === page}
                aria-current={p === page ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate([p.key]);
                }}
              >
                {p.label}
              </HeaderMenuItem>
            ))}
          </HeaderNavigation>
          <HeaderGlobalBar>
            <span className="cds--type-body-compact-01" style={{ alignSelf: 'center', marginRight: '1rem', color: 'var(--cds-text-secondary)' }}>
              {session.me.username}
            </span>
            <Button kind="ghost" size="lg" onClick={() => signOut('')}>
              Sign out
            </Button>
          </HeaderGlobalBar>
        </Header>
      </Theme>
      <Content className="console-content">
        {page.kind ? (
          <Entities
            key={page.kind}
            api={api}
            kind={page.kind}
            pageKey={page.key}
            mode={config.authMode}
            config={config}
            route={route.slice(1)}
          />
        ) : page.custom ? (
          <page.custom api={api} mode={config.authMode} config={config} />
        ) : (
          <Authorizations api={api} mode={config.authMode} config={config} route={route.slice(1)} />
        )}
      </Content>
    </>
  );
}
