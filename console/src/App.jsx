import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Button,
  Content,
  Form,
  Header,
  HeaderGlobalBar,
  HeaderMenuItem,
  HeaderName,
  HeaderNavigation,
  InlineLoading,
  InlineNotification,
  PasswordInput,
  TextArea,
  TextInput,
  Theme,
} from '@carbon/react';
import { basicCredentials, bearerCredentials, fetchConsoleConfig, makeApi } from './api.js';
import { navigate, useRoute } from './router.js';
import AccessCheck from './AccessCheck.jsx';
import Authorizations from './Authorizations.jsx';
import Entities from './Entities.jsx';

function SignIn({ mode, onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setError('');
    if (mode === 'BASIC' && (!username || !password)) {
      setError('Enter your username and password.');
      return;
    }
    if (mode !== 'BASIC' && !token.trim()) {
      setError('Paste an access token issued by the configured identity provider.');
      return;
    }
    const authorization =
      mode === 'BASIC' ? basicCredentials(username, password) : bearerCredentials(token);
    setBusy(true);
    try {
      const me = await makeApi(authorization).get('/v2/authentication/me');
      onSignedIn({ authorization, me });
    } catch (e) {
      setError(e.status === 401 ? `Sign-in refused: ${e.message}` : e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="console-signin">
      <h1 className="cds--type-productive-heading-04 console-page-title">Sign in to Identity</h1>
      <Form onSubmit={submit} aria-label="Sign in">
        {mode === 'BASIC' ? (
          <>
            <TextInput
              id="signin-username"
              labelText="Username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
            <PasswordInput
              id="signin-password"
              labelText="Password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </>
        ) : (
          <TextArea
            id="signin-token"
            labelText="Access token"
            helperText="A JWT from the identity provider this server trusts; kept in this tab's memory only."
            rows={5}
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        )}
        {error && (
          <InlineNotification kind="error" title="Not signed in" subtitle={error} hideCloseButton lowContrast />
        )}
        {busy ? <InlineLoading description="Signing in…" /> : <Button type="submit">Sign in</Button>}
      </Form>
    </div>
  );
}

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

  useEffect(() => {
    fetchConsoleConfig().then(setConfig, (e) => setConfigError(e.message));
  }, []);

  const signOut = useCallback((reason) => {
    setSession(null);
    setExpired(reason || '');
  }, []);

  const api = useMemo(
    () =>
      session
        ? makeApi(session.authorization, (e) => signOut(`Signed out: ${e.message}`))
        : null,
    [session, signOut],
  );

  if (configError) {
    return (
      <InlineNotification kind="error" title="The console cannot reach its server" subtitle={configError} hideCloseButton />
    );
  }
  if (!config) return <InlineLoading description="Loading…" />;

  if (!session) {
    return (
      <Theme theme="g10" className="console-signin-page">
        {expired && <InlineNotification kind="warning" title="Session ended" subtitle={expired} lowContrast />}
        <SignIn
          mode={config.authMode}
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
