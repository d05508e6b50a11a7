// The sign-in screen. BASIC: a username and password posted to /login (the server answers with
// the session cookie and its CSRF token; the password is dropped from memory). OIDC with a console
// client: a button to the identity provider. OIDC without one: a pasted access token.
import { useState } from 'react';
import { Button, Form, InlineLoading, InlineNotification, PasswordInput, TextArea, TextInput } from '@carbon/react';
import { bearerCredentials, login, makeApi } from './api.js';
import { startSignIn } from './oidc.js';

export default function SignIn({ config, onSignedIn, error: initialError }) {
  const mode = config.authMode;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState(initialError || '');
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setError('');
    if (mode === 'BASIC' && (!username || !password)) {
      setError('Enter your username and password.');
      return;
    }
    if (mode !== 'BASIC' && config.oidc) {
      setBusy(true);
      try {
        await startSignIn(config.oidc);
      } catch (e) {
        setError(e.message);
        setBusy(false);
      }
      return;
    }
    if (mode !== 'BASIC' && !token.trim()) {
      setError('Paste an access token issued by the configured identity provider.');
      return;
    }
    setBusy(true);
    try {
      let credentials;
      if (mode === 'BASIC') {
        const session = await login(username, password);
        setPassword('');
        credentials = { csrfToken: session.csrfToken };
      } else {
        credentials = bearerCredentials(token);
      }
      const me = await makeApi(credentials).get('/v2/authentication/me');
      onSignedIn({ credentials, me });
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
        {mode === 'BASIC' && (
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
        )}
        {mode !== 'BASIC' && config.oidc && (
          <p className="cds--type-body-01">Sign in at {config.oidc.issuer}.</p>
        )}
        {mode !== 'BASIC' && !config.oidc && (
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
