import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  InlineNotification,
  Link,
  Modal,
  PasswordInput,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  TableToolbarSearch,
  TextArea,
  TextInput,
} from '@carbon/react';
import { enc } from './api.js';
import Members, { MEMBERS_OF } from './Members.jsx';
import { navigate } from './router.js';

// The id syntax the server accepts for group, role, user and mapping-rule ids.
const ID_PATTERN = /^[A-Za-z0-9_@.+-]+$/;

// Each identity entity the console lists, creates and deletes: its /v2 path, its id field and
// the fields of its create form, in the wire's names. `column` fields show in the table.
export const KINDS = {
  group: {
    title: 'Groups', one: 'group', path: '/v2/groups', id: 'groupId',
    fields: [
      { key: 'groupId', label: 'Group ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'description', label: 'Description (optional)', area: true, column: true },
    ],
    consequence: 'Its members lose what it grants them.',
  },
  role: {
    title: 'Roles', one: 'role', path: '/v2/roles', id: 'roleId',
    fields: [
      { key: 'roleId', label: 'Role ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'description', label: 'Description (optional)', area: true, column: true },
    ],
    consequence: 'Its members lose what it grants them.',
  },
  user: {
    title: 'Users', one: 'user', path: '/v2/users', id: 'username',
    fields: [
      { key: 'username', label: 'Username', id: true, column: true },
      { key: 'name', label: 'Name (optional)', column: true, header: 'Name' },
      { key: 'email', label: 'Email (optional)', column: true, header: 'Email' },
      { key: 'password', label: 'Password', required: true, password: true },
    ],
    consequence: 'They can no longer sign in.',
  },
  tenant: {
    title: 'Tenants', one: 'tenant', path: '/v2/tenants', id: 'tenantId',
    fields: [
      { key: 'tenantId', label: 'Tenant ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'description', label: 'Description (optional)', area: true, column: true },
    ],
    consequence: 'Its members lose access to its resources.',
  },
  mappingRule: {
    title: 'Mapping rules', one: 'mapping rule', path: '/v2/mapping-rules', id: 'mappingRuleId',
    fields: [
      { key: 'mappingRuleId', label: 'Mapping rule ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'claimName', label: 'Claim name', required: true, column: true },
      { key: 'claimValue', label: 'Claim value', required: true, column: true },
    ],
    consequence: 'Tokens carrying its claim no longer get what it is assigned.',
  },
};

function fieldId(k, f) {
  return `${k.one.replace(/ /g, '-')}-${f.key}`;
}

function CreateModal({ api, k, onClose, onCreated }) {
  const [values, setValues] = useState({});
  const [invalid, setInvalid] = useState({});
  const [serverError, setServerError] = useState('');
  const [busy, setBusy] = useState(false);

  function set(key, value) {
    setValues((v) => ({ ...v, [key]: value }));
    setInvalid(({ [key]: _, ...rest }) => rest);
  }

  async function submit() {
    const problems = {};
    for (const f of k.fields) {
      const v = values[f.key] ?? '';
      if (f.id) {
        if (!v) problems[f.key] = `Enter the ${f.label}.`;
        else if (v.length > 256 || !ID_PATTERN.test(v)) {
          problems[f.key] = 'Use 1 to 256 letters, digits and _ @ . + - only.';
        }
      } else if (f.required && !v.trim()) {
        problems[f.key] = `Enter the ${f.label.toLowerCase()}.`;
      }
    }
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    const body = {};
    for (const f of k.fields) {
      const v = values[f.key] ?? '';
      if (f.id || f.password) body[f.key] = v;
      else if (v.trim() || f.required) body[f.key] = v.trim();
    }
    setBusy(true);
    setServerError('');
    try {
      await api.post(k.path, body);
      onCreated();
    } catch (e) {
      setServerError(e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      modalHeading={`Create ${k.one}`}
      primaryButtonText={`Create ${k.one}`}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={busy}
      onRequestClose={onClose}
      onRequestSubmit={submit}
    >
      {k.fields.map((f) => {
        const common = {
          key: f.key,
          id: fieldId(k, f),
          className: 'console-modal-field',
          labelText: f.label,
          value: values[f.key] ?? '',
          invalid: Boolean(invalid[f.key]),
          invalidText: invalid[f.key],
          onChange: (e) => set(f.key, e.target.value),
        };
        if (f.password) return <PasswordInput {...common} autoComplete="new-password" />;
        if (f.area) return <TextArea {...common} rows={2} />;
        return <TextInput {...common} autoComplete="off" />;
      })}
      {serverError && (
        <InlineNotification kind="error" title="Not created" subtitle={serverError} hideCloseButton lowContrast />
      )}
    </Modal>
  );
}

function DeleteModal({ api, k, item, onClose, onDeleted }) {
  const [error, setError] = useState('');
  async function confirm() {
    setError('');
    try {
      await api.del(`${k.path}/${enc(item[k.id])}`);
      onDeleted();
    } catch (e) {
      setError(e.message);
    }
  }
  return (
    <Modal
      open
      danger
      modalHeading={`Delete ${k.one}`}
      primaryButtonText="Delete"
      secondaryButtonText="Cancel"
      onRequestClose={onClose}
      onRequestSubmit={confirm}
    >
      <p>
        Delete the {k.one} <strong>{item[k.id]}</strong>
        {item.name ? ` (${item.name})` : ''}? {k.consequence}
      </p>
      {error && <InlineNotification kind="error" title="Not deleted" subtitle={error} hideCloseButton lowContrast />}
    </Modal>
  );
}

export default function Entities({ api, kind, pageKey, mode, route }) {
  const k = KINDS[kind];
  if (route[0] && MEMBERS_OF[kind]) {
    return <Members api={api} k={k} kind={kind} pageKey={pageKey} entityId={route[0]} mode={mode} />;
  }
  return <EntityList api={api} k={k} kind={kind} pageKey={pageKey} />;
}

function EntityList({ api, k, kind, pageKey }) {
  const columns = k.fields.filter((f) => f.column);
  const [items, setItems] = useState(null);
  const [error, setError] = useState('');
  const [query, setQuery] = useState('');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(null);

  const load = useCallback(() => {
    setItems(null);
    setError('');
    api.searchAll(`${k.path}/search`).then(setItems, (e) => {
      setItems([]);
      setError(e.status === 403 ? `You may not read ${k.title.toLowerCase()}: ${e.message}` : e.message);
    });
  }, [api, k]);

  useEffect(load, [load]);

  const q = query.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (i) => !q || columns.some((c) => String(i[c.key] ?? '').toLowerCase().includes(q)),
  );

  return (
    <>
      <h1 className="cds--type-productive-heading-05 console-page-title">{k.title}</h1>
      {error && <InlineNotification kind="error" title={`Cannot list ${k.title.toLowerCase()}`} subtitle={error} hideCloseButton lowContrast />}
      {items === null ? (
        <DataTableSkeleton columnCount={columns.length + 1} rowCount={3} showHeader={false} showToolbar={false} />
      ) : (
        <TableContainer>
          <TableToolbar aria-label={`${k.title} actions`}>
            <TableToolbarContent>
              <TableToolbarSearch
                persistent
                placeholder={`Search ${k.title.toLowerCase()}`}
                onChange={(e) => setQuery(e ? e.target.value : '')}
              />
              <Button onClick={() => setCreating(true)}>Create {k.one}</Button>
            </TableToolbarContent>
          </TableToolbar>
          {!error && (
            <Table aria-label={k.title}>
              <TableHead>
                <TableRow>
                  {columns.map((c) => (
                    <TableHeader key={c.key}>{c.header ?? c.label.replace(' (optional)', '')}</TableHeader>
                  ))}
                  <TableHeader>
                    <span className="cds--visually-hidden">Actions</span>
                  </TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {shown.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={columns.length + 1}>
                      {q ? 'Nothing matches the search.' : `No ${k.title.toLowerCase()} yet.`}
                    </TableCell>
                  </TableRow>
                )}
                {shown.map((i) => (
                  <TableRow key={i[k.id]}>
                    {columns.map((c) => (
                      <TableCell key={c.key}>
                        {c.id && MEMBERS_OF[kind] ? (
                          <Link
                            href={`/identity/${pageKey}/${enc(i[c.key])}`}
                            onClick={(e) => {
                              e.preventDefault();
                              navigate([pageKey, i[c.key]]);
                            }}
                          >
                            {i[c.key]}
                          </Link>
                        ) : (
                          i[c.key]
                        )}
                      </TableCell>
                    ))}
                    <TableCell>
                      <Button kind="danger--ghost" size="sm" onClick={() => setDeleting(i)} aria-label={`Delete ${k.one} ${i[k.id]}`}>
                        Delete
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </TableContainer>
      )}
      {creating && (
        <CreateModal
          api={api}
          k={k}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            load();
          }}
        />
      )}
      {deleting && (
        <DeleteModal
          api={api}
          k={k}
          item={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            load();
          }}
        />
      )}
    </>
  );
}
