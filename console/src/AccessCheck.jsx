// Access check: the decision API's answers, asked from the console. Whose access (the signed-in
// caller, a pasted bearer token the server verifies, a claims document or a stored user), on
// which resource, with which permission; the decision is drawn as the paths that grant it
// (principal or matching mapping rule → groups → roles → authorization). Beside it: who can act
// on a resource, and what the subject can do.
import { useEffect, useState } from 'react';
import catalog from 'virtual:catalog';
import {
  Button,
  InlineNotification,
  Select,
  SelectItem,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  TextArea,
  TextInput,
  Tile,
} from '@carbon/react';
import { ownerTypeLabel, resourceTypeLabel } from './labels.js';

const GATEWAY = 'clearance-decision-gateway';

// Asking about someone else needs ACCESS on the gateway component; a claims document or a
// username (taken on the console's word) needs READ on AUTHORIZATION as well, as does who-can.
function useDecisionRights(api) {
  const [rights, setRights] = useState(null);
  useEffect(() => {
    let live = true;
    const ask = (resourceType, permission) =>
      api.post('/clearance/v1/authorized-resources', { resourceType, permission }).catch(() => ({ all: false, ids: [] }));
    Promise.all([ask('COMPONENT', 'ACCESS'), ask('AUTHORIZATION', 'READ')]).then(([component, read]) => {
      if (!live) return;
      const gateway = component.all || (component.ids ?? []).includes(GATEWAY);
      setRights({ gateway, readAuthorizations: Boolean(read.all) });
    });
    return () => {
      live = false;
    };
  }, [api]);
  return rights;
}

function subjectsFor(mode, rights) {
  const subjects = [{ value: 'me', label: 'Me (the signed-in caller)' }];
  if (!rights?.gateway) return subjects;
  if (mode === 'OIDC') {
    subjects.push({ value: 'token', label: 'A bearer token' });
    if (rights.readAuthorizations) subjects.push({ value: 'claims', label: 'A claims document' });
  } else if (rights.readAuthorizations) {
    subjects.push({ value: 'username', label: 'A user' });
  }
  return subjects;
}

function OwnerNode({ owner }) {
  return (
    <span className="console-path-node">
      <Tag type={owner.type === 'ROLE' ? 'purple' : owner.type === 'GROUP' ? 'teal' : owner.type === 'MAPPING_RULE' ? 'cyan' : 'blue'} size="sm">
        {ownerTypeLabel(owner.type)}
      </Tag>
      <span className="console-path-id">{owner.id}</span>
    </span>
  );
}

// One grant path, left to right: the principal (when a matching mapping rule starts the chain),
// each owner reached through a membership, then the authorization its last owner holds.
function GrantPath({ principal, grant, request }) {
  const chain = grant.chain;
  const startsWithRule = principal && chain[0] && (chain[0].type !== principal.type || chain[0].id !== principal.id);
  const steps = [];
  if (startsWithRule) steps.push({ node: <OwnerNode owner={principal} />, link: 'matches' });
  chain.forEach((owner, i) => {
    steps.push({ node: <OwnerNode owner={owner} />, link: i + 1 < chain.length ? 'member of' : 'holds' });
  });
  steps.push({
    node: (
      <span className="console-path-node">
        <Tag type="green" size="sm">
          Authorization {grant.authorizationKey}
        </Tag>
        <span className="console-path-key">
          allows {request.permission} on {resourceTypeLabel(request.resourceType).toLowerCase()}{' '}
          {request.resourceIds.length ? request.resourceIds.join(', ') : '*'}
        </span>
      </span>
    ),
  });
  return (
    <ol className="console-path" aria-label={`Grant path through authorization ${grant.authorizationKey}`}>
      {steps.map((s, i) => (
        <li key={i}>
          {s.node}
          {s.link && (
            <span className="console-path-link">
              <span aria-hidden="true">→</span> {s.link}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

function Explanation({ result, request }) {
  const allowed = result.allowed;
  return (
    <section aria-label="Decision" className="console-result">
      <h2 className="cds--type-productive-heading-03">
        Decision:{' '}
        <Tag type={allowed ? 'green' : 'red'} size="md">
          {result.outcome}
        </Tag>
      </h2>
      <p className="console-result-line">
        <strong>{result.reason}</strong>
        {result.detail ? ` (${result.detail})` : ''}: {result.message}
      </p>
      <p className="console-result-line">
        Principal:{' '}
        {result.principal ? <OwnerNode owner={result.principal} /> : 'none (the subject is not authenticated)'}
        {result.matchingRules.length > 0 && (
          <>
            {' '}· matching mapping rules:{' '}
            {result.matchingRules.map((r) => (
              <OwnerNode key={r} owner={{ type: 'MAPPING_RULE', id: r }} />
            ))}
          </>
        )}
      </p>
      {result.grants.length > 0 ? (
        <>
          <h3 className="cds--type-productive-heading-02 console-result-heading">
            {result.grants.length === 1 ? 'The grant that passes' : `The ${result.grants.length} grants that pass`}
          </h3>
          {result.grants.map((g, i) => (
            <GrantPath key={`${g.authorizationKey}-${i}`} principal={result.principal} grant={g} request={request} />
          ))}
        </>
      ) : (
        <p className="console-result-line">
          {allowed
            ? 'No grant was needed (checks or authorizations are off).'
            : `No authorization of the principal, its mapping rules, groups or roles grants ${request.permission} on ${request.resourceIds.length ? request.resourceIds.join(', ') : '*'}.`}
        </p>
      )}
    </section>
  );
}

function WhoCan({ result, request }) {
  return (
    <section aria-label="Who can" className="console-result">
      <h2 className="cds--type-productive-heading-03">
        Who can {request.permission} {resourceTypeLabel(request.resourceType).toLowerCase()} {request.resourceId}
      </h2>
      {!result.authorizationsEnabled && (
        <p className="console-result-line">Authorizations are off: every authenticated caller can.</p>
      )}
      <TableContainer title="Principals" description="Users, clients and mapping rules holding a passing grant, or reaching one through groups and roles">
        <Table aria-label="Principals who can" size="md">
          <TableHead>
            <TableRow>
              <TableHeader>Principal</TableHeader>
              <TableHeader>Through</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {result.principals.length === 0 && (
              <TableRow>
                <TableCell colSpan={2}>Nobody.</TableCell>
              </TableRow>
            )}
            {result.principals.map((p) => (
              <TableRow key={`${p.type}/${p.id}`}>
                <TableCell>
                  <OwnerNode owner={p} />
                </TableCell>
                <TableCell>
                  {p.via.map((o) => (
                    <OwnerNode key={`${o.type}/${o.id}`} owner={o} />
                  ))}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      <TableContainer title="Grants" description="The authorizations that pass">
        <Table aria-label="Grants that pass" size="md">
          <TableHead>
            <TableRow>
              <TableHeader>Owner</TableHeader>
              <TableHeader>Resource ID</TableHeader>
              <TableHeader>Authorization key</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {result.grants.length === 0 && (
              <TableRow>
                <TableCell colSpan={3}>No grant.</TableCell>
              </TableRow>
            )}
            {result.grants.map((g) => (
              <TableRow key={g.authorizationKey}>
                <TableCell>
                  <OwnerNode owner={g.owner} />
                </TableCell>
                <TableCell>{g.resourceId}</TableCell>
                <TableCell>{g.authorizationKey}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </section>
  );
}

function WhatCan({ result, request }) {
  if (result.outcome === 'UNAUTHENTICATED') {
    return (
      <section aria-label="What can" className="console-result">
        <h2 className="cds--type-productive-heading-03">What the subject can do</h2>
        <p className="console-result-line">
          Nothing: the subject is not authenticated ({result.reason}
          {result.detail ? `: ${result.detail}` : ''}).
        </p>
      </section>
    );
  }
  const rows = result.resourceTypes ?? [{ resourceType: request.resourceType, permissions: result.permissions ?? [] }];
  return (
    <section aria-label="What can" className="console-result">
      <h2 className="cds--type-productive-heading-03">
        What the subject can do
        {request.resourceType
          ? ` on ${resourceTypeLabel(request.resourceType).toLowerCase()} ${request.resourceId}`
          : ' on every resource (grants on *)'}
      </h2>
      <Table aria-label="Permissions the subject holds" size="md">
        <TableHead>
          <TableRow>
            <TableHeader>Resource type</TableHeader>
            <TableHeader>Permissions</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.every((r) => r.permissions.length === 0) && (
            <TableRow>
              <TableCell colSpan={2}>No permission.</TableCell>
            </TableRow>
          )}
          {rows
            .filter((r) => r.permissions.length > 0)
            .map((r) => (
              <TableRow key={r.resourceType}>
                <TableCell className="console-nowrap">{resourceTypeLabel(r.resourceType)}</TableCell>
                <TableCell className="console-tag-list">
                  {r.permissions.map((p) => (
                    <Tag key={p} type="gray" size="sm">
                      {p}
                    </Tag>
                  ))}
                </TableCell>
              </TableRow>
            ))}
        </TableBody>
      </Table>
    </section>
  );
}

export default function AccessCheck({ api, mode, config }) {
  const rights = useDecisionRights(api);
  const subjects = subjectsFor(mode, rights);
  const types = mode === 'BASIC' ? catalog.filter((t) => t.type !== 'MAPPING_RULE') : catalog;
  const [subjectKind, setSubjectKind] = useState('me');
  const [token, setToken] = useState('');
  const [claims, setClaims] = useState('');
  const [username, setUsername] = useState('');
  const [resourceType, setResourceType] = useState('PROCESS_DEFINITION');
  const [permission, setPermission] = useState('');
  const [resourceIds, setResourceIds] = useState('');
  const [tenantId, setTenantId] = useState('');
  const [invalid, setInvalid] = useState({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState(null);

  const permissions = types.find((t) => t.type === resourceType)?.permissions ?? [];
  const chosenPermission = permissions.includes(permission) ? permission : permissions[0];
  const ids = resourceIds
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  // The subject member of a decision request, or null with the problem marked at its field.
  function subject(problems) {
    switch (subjectKind) {
      case 'token':
        if (!token.trim()) problems.token = 'Paste a bearer token.';
        return { token: token.trim().replace(/^Bearer\s+/i, '') };
      case 'claims':
        try {
          const parsed = JSON.parse(claims);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          return { claims: parsed };
        } catch (e) {
          problems.claims = `Enter the claims as a JSON object, such as {"sub": "alice"} (${e.message}).`;
          return null;
        }
      case 'username':
        if (!username.trim()) problems.username = 'Enter a username.';
        return { username: username.trim() };
      default:
        return null;
    }
  }

  async function ask(kind) {
    const problems = {};
    const subj = subject(problems);
    if (kind === 'who' && ids.length !== 1) problems.resourceIds = 'Who can is asked about one resource ID (or *).';
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    let path;
    let body;
    let request;
    if (kind === 'check') {
      path = '/clearance/v1/explain';
      body = { resourceType, permission: chosenPermission, resourceIds: ids };
      if (tenantId.trim()) body.tenantId = tenantId.trim();
      request = body;
    } else if (kind === 'who') {
      path = '/clearance/v1/who-can';
      body = { resourceType, permission: chosenPermission, resourceId: ids[0] };
      request = body;
    } else {
      path = '/clearance/v1/what-can';
      body = ids.length ? { resourceType, resourceId: ids[0] } : {};
      request = body;
    }
    if (subj && kind !== 'who') body = { ...body, subject: subj };
    setBusy(true);
    setError('');
    try {
      const result = await api.post(path, body);
      setAnswer({ kind, result, request });
    } catch (e) {
      setAnswer(null);
      setError(e.status === 403 ? `The server refused the question: ${e.message}` : e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1 className="cds--type-productive-heading-05 console-page-title">Access check</h1>
      <div className="console-access">
        <Tile className="console-access-form">
          <form
            aria-label="Access question"
            onSubmit={(e) => {
              e.preventDefault();
              ask('check');
            }}
          >
            <Select
              id="access-subject"
              className="console-modal-field"
              labelText="Whose access"
              value={subjectKind}
              onChange={(e) => {
                setSubjectKind(e.target.value);
                setInvalid({});
              }}
            >
              {subjects.map((s) => (
                <SelectItem key={s.value} value={s.value} text={s.label} />
              ))}
            </Select>
            {subjectKind === 'token' && (
              <TextArea
                id="access-token"
                className="console-modal-field"
                labelText="Bearer token"
                helperText="Verified by the server with its configured issuers; not stored."
                rows={4}
                value={token}
                invalid={Boolean(invalid.token)}
                invalidText={invalid.token}
                onChange={(e) => setToken(e.target.value)}
              />
            )}
            {subjectKind === 'claims' && (
              <TextArea
                id="access-claims"
                className="console-modal-field"
                labelText="Claims document"
                helperText='Claims as a verified token would carry them, e.g. {"sub": "alice", "groups": ["engineering"]}'
                rows={4}
                value={claims}
                invalid={Boolean(invalid.claims)}
                invalidText={invalid.claims}
                onChange={(e) => setClaims(e.target.value)}
              />
            )}
            {subjectKind === 'username' && (
              <TextInput
                id="access-username"
                className="console-modal-field"
                labelText="Username"
                autoComplete="off"
                value={username}
                invalid={Boolean(invalid.username)}
                invalidText={invalid.username}
                onChange={(e) => setUsername(e.target.value)}
              />
            )}
            <Select
              id="access-resource-type"
              className="console-modal-field"
              labelText="Resource type"
              value={resourceType}
              onChange={(e) => {
                setResourceType(e.target.value);
                setPermission('');
              }}
            >
              {types.map((t) => (
                <SelectItem key={t.type} value={t.type} text={resourceTypeLabel(t.type)} />
              ))}
            </Select>
            <TextInput
              id="access-resource-ids"
              className="console-modal-field"
              labelText="Resource ID(s)"
              helperText="Comma-separated; empty means only grants on * pass. What can without an ID lists every type."
              autoComplete="off"
              value={resourceIds}
              invalid={Boolean(invalid.resourceIds)}
              invalidText={invalid.resourceIds}
              onChange={(e) => {
                setResourceIds(e.target.value);
                setInvalid(({ resourceIds: _, ...rest }) => rest);
              }}
            />
            <Select
              id="access-permission"
              className="console-modal-field"
              labelText="Permission"
              value={chosenPermission}
              onChange={(e) => setPermission(e.target.value)}
            >
              {permissions.map((p) => (
                <SelectItem key={p} value={p} text={p} />
              ))}
            </Select>
            {config?.tenantChecks && (
              <TextInput
                id="access-tenant"
                className="console-modal-field"
                labelText="Tenant ID (optional)"
                autoComplete="off"
                value={tenantId}
                onChange={(e) => setTenantId(e.target.value)}
              />
            )}
            <div className="console-access-actions">
              <Button type="submit" disabled={busy}>
                Check access
              </Button>
              {rights?.readAuthorizations && (
                <Button kind="secondary" disabled={busy} onClick={() => ask('who')}>
                  Who can?
                </Button>
              )}
              <Button kind="tertiary" disabled={busy} onClick={() => ask('what')}>
                What can?
              </Button>
            </div>
          </form>
        </Tile>
        <div aria-live="polite">
          {error && <InlineNotification kind="error" title="No answer" subtitle={error} hideCloseButton lowContrast />}
          {!answer && !error && (
            <p className="console-result-line console-hint">
              Ask whether the subject may act on a resource: the decision comes with the path of
              memberships and the authorization that grant it.
            </p>
          )}
          {answer?.kind === 'check' && <Explanation result={answer.result} request={answer.request} />}
          {answer?.kind === 'who' && <WhoCan result={answer.result} request={answer.request} />}
          {answer?.kind === 'what' && <WhatCan result={answer.result} request={answer.request} />}
        </div>
      </div>
    </>
  );
}
