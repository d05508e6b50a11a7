import { useEffect, useState } from 'react';
import {
  Button,
  InlineNotification,
  Link,
  Modal,
  Tab,
  TabList,
  TabPanel,
  TabPanels,
  Tabs,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  TextInput,
} from '@carbon/react';
import { enc } from './api.js';
import { Pager, usePagedSearch, useWriteAccess } from './common.jsx';
import EntityPicker, { pickable, pickerSearchesBy } from './EntityPicker.jsx';
import { navigate } from './router.js';

// What can be a member of what, in the /v2 API's path segments and the id field its member
// searches answer, and the owner type an EntityPicker lists them by. Clients and mapping rules exist only where tokens do (OIDC mode).
const MEMBER_TYPES = {
  users: { label: 'Users', one: 'user', kind: 'USER', seg: 'users', id: 'username', idLabel: 'Username' },
  clients: { label: 'Clients', one: 'client', kind: 'CLIENT', seg: 'clients', id: 'clientId', idLabel: 'Client ID', oidc: true },
  groups: { label: 'Groups', one: 'group', kind: 'GROUP', seg: 'groups', id: 'groupId', idLabel: 'Group ID' },
  roles: { label: 'Roles', one: 'role', kind: 'ROLE', seg: 'roles', id: 'roleId', idLabel: 'Role ID' },
  mappingRules: {
    label: 'Mapping rules',
    one: 'mapping rule',
    kind: 'MAPPING_RULE',
    seg: 'mapping-rules',
    id: 'mappingRuleId',
    idLabel: 'Mapping rule ID',
    oidc: true,
  },
};

export const MEMBERS_OF = {
  group: ['users', 'clients', 'mappingRules'],
  role: ['users', 'clients', 'groups', 'mappingRules'],
  tenant: ['users', 'clients', 'groups', 'roles', 'mappingRules'],
};

function MemberPanel({ api, k, entityId, m, mode, mayChange }) {
  const base = `${k.path}/${enc(entityId)}/${m.seg}`;
  const search = usePagedSearch(api, base, null, 10);
  const items = search.items === null ? null : search.items.map((i) => i[m.id]);
  const [failure, setFailure] = useState('');
  const error = failure || (search.error ? search.error.message : '');
  const [newId, setNewId] = useState('');
  const [assignError, setAssignError] = useState('');
  const [removing, setRemoving] = useState(null);
  // Members the server can list are chosen from the existing ones; clients (which no endpoint
  // lists) and OIDC users (who live in the identity provider) are typed.
  const picked = pickable(m.kind, mode);
  // A new key starts the search-select over once its choice is assigned.
  const [pickerKey, setPickerKey] = useState(0);
  const load = search.reload;

  async function assign(event) {
    event.preventDefault();
    const id = newId.trim();
    if (!id) {
      setAssignError(picked ? `Choose a ${m.one} from the list.` : `Enter the ${m.idLabel}.`);
      return;
    }
    setAssignError('');
    try {
      await api.put(`${base}/${enc(id)}`);
      setNewId('');
      setPickerKey((n) => n + 1);
      load();
    } catch (e) {
      setAssignError(e.message);
    }
  }

  async function remove() {
    try {
      await api.del(`${base}/${enc(removing)}`);
      setRemoving(null);
      load();
    } catch (e) {
      setRemoving(null);
      setFailure(e.message);
    }
  }

  return (
    <>
      {mayChange && (
        <form className="console-assign" onSubmit={assign}>
          {picked ? (
            <EntityPicker
              key={pickerKey}
              api={api}
              kind={m.kind}
              id={`assign-${m.seg}`}
              titleText={`Assign ${m.label.toLowerCase()}: ${m.idLabel}`}
              placeholder={`Search ${m.label.toLowerCase()} by ${pickerSearchesBy(m.kind)}`}
              invalid={Boolean(assignError)}
              invalidText={assignError}
              onChange={(id) => {
                setNewId(id);
                setAssignError('');
              }}
            />
          ) : (
            <TextInput
              id={`assign-${m.seg}`}
              labelText={`Assign ${m.label.toLowerCase()}: ${m.idLabel}`}
              autoComplete="off"
              value={newId}
              invalid={Boolean(assignError)}
              invalidText={assignError}
              onChange={(e) => {
                setNewId(e.target.value);
                setAssignError('');
              }}
            />
          )}
          <Button type="submit" size="md">
            Assign
          </Button>
        </form>
      )}
      {error && <InlineNotification kind="error" title={`Cannot list ${m.label.toLowerCase()}`} subtitle={error} hideCloseButton lowContrast />}
      {items !== null && !error && (
        <Table aria-label={`${m.label} of ${entityId}`} size="md">
          <TableHead>
            <TableRow>
              <TableHeader>{m.idLabel}</TableHeader>
              {mayChange && (
                <TableHeader>
                  <span className="cds--visually-hidden">Actions</span>
                </TableHeader>
              )}
            </TableRow>
          </TableHead>
          <TableBody>
            {items.length === 0 && (
              <TableRow>
                <TableCell colSpan={2}>No {m.label.toLowerCase()} assigned.</TableCell>
              </TableRow>
            )}
            {items.map((id) => (
              <TableRow key={id}>
                <TableCell>{id}</TableCell>
                {mayChange && (
                  <TableCell>
                    <Button kind="danger--ghost" size="sm" onClick={() => setRemoving(id)} aria-label={`Remove ${id}`}>
                      Remove
                    </Button>
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Pager search={search} label={m.label.toLowerCase()} />
      {removing && (
        <Modal
          open
          danger
          modalHeading={`Remove from ${k.one}`}
          primaryButtonText="Remove"
          secondaryButtonText="Cancel"
          onRequestClose={() => setRemoving(null)}
          onRequestSubmit={remove}
        >
          <p>
            Remove <strong>{removing}</strong> from the {k.one} <strong>{entityId}</strong>? It loses what
            the {k.one} grants.
          </p>
        </Modal>
      )}
    </>
  );
}

export default function Members({ api, k, kind, pageKey, entityId, mode }) {
  const [entity, setEntity] = useState(null);
  const [error, setError] = useState('');
  const types = MEMBERS_OF[kind]
    .map((t) => MEMBER_TYPES[t])
    .filter((m) => mode !== 'BASIC' || !m.oidc);

  // Assigning and removing members is an UPDATE of the container.
  const access = useWriteAccess(api, k.resourceType);
  const mayChange = access.update(entityId);

  useEffect(() => {
    api.get(`${k.path}/${enc(entityId)}`).then(setEntity, (e) => setError(e.message));
  }, [api, k, entityId]);

  return (
    <>
      <Link
        href={`/identity/${pageKey}`}
        onClick={(e) => {
          e.preventDefault();
          navigate([pageKey]);
        }}
      >
        {k.title}
      </Link>
      <h1 className="cds--type-productive-heading-05 console-page-title">
        {entity?.name || entityId}
      </h1>
      {error ? (
        <InlineNotification kind="error" title={`Cannot show the ${k.one}`} subtitle={error} hideCloseButton lowContrast />
      ) : (
        <Tabs>
          <TabList aria-label={`Members of the ${k.one}`}>
            {types.map((m) => (
              <Tab key={m.seg}>{m.label}</Tab>
            ))}
          </TabList>
          <TabPanels>
            {types.map((m) => (
              <TabPanel key={m.seg}>
                <MemberPanel api={api} k={k} entityId={entityId} m={m} mode={mode} mayChange={mayChange} />
              </TabPanel>
            ))}
          </TabPanels>
        </Tabs>
      )}
    </>
  );
}
