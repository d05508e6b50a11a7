import { useEffect, useMemo, useState } from 'react';
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
import { checkId, fieldOfDetail, forbiddenText, likeFilter, Pager, usePagedSearch, useWriteAccess } from './common.jsx';
import Members, { MEMBERS_OF } from './Members.jsx';
import { navigate } from './router.js';

export const KINDS = {
  group: {
    title: 'Groups', one: 'group', path: '/v2/groups', id: 'groupId', resourceType: 'GROUP',
    search: { key: 'groupId', like: true, text: 'Search by group ID' },
    fields: [
      { key: 'groupId', label: 'Group ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'description', label: 'Description (optional)', area: true, column: true },
    ],
    consequence: 'Its members lose what it grants them.',
  },
  role: {
    title: 'Roles', one: 'role', path: '/v2/roles', id: 'roleId', resourceType: 'ROLE',
    search: { key: 'name', like: true, text: 'Search by name' },
    fields: [
      { key: 'roleId', label: 'Role ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'description', label: 'Description (optional)', area: true, column: true },
    ],
    consequence: 'Its members lose what it grants them.',
  },
  user: {
    title: 'Users', one: 'user', path: '/v2/users', id: 'username', resourceType: 'USER',
    search: { key: 'username', like: true, text: 'Search by username' },
    fields: [
      { key: 'username', label: 'Username', id: true, column: true },
      { key: 'name', label: 'Name (optional)', column: true, header: 'Name' },
      { key: 'email', label: 'Email (optional)', column: true, header: 'Email' },
      { key: 'password', label: 'Password', required: true, password: true, editLabel: 'New password (optional)', editHelp: 'Leave empty to keep the current password.' },
    ],
    consequence: 'They can no longer sign in.',
  },
  tenant: {
    title: 'Tenants', one: 'tenant', path: '/v2/tenants', id: 'tenantId', resourceType: 'TENANT',
    search: { key: 'tenantId', like: false, text: 'Find by tenant ID (exact)' },
    fields: [
      { key: 'tenantId', label: 'Tenant ID', id: true, column: true },
      { key: 'name', label: 'Name', required: true, column: true },
      { key: 'description', label: 'Description (optional)', area: true, column: true },
    ],
    consequence: 'Its members lose access to its resources.',
  },
  mappingRule: {
    title: 'Mapping rules', one: 'mapping rule', path: '/v2/mapping-rules', id: 'mappingRuleId', resourceType: 'MAPPING_RULE',
    search: { key: 'name', like: true, text: 'Search by name' },
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

// Create (`item` null) or edit (`item` the row): the same fields, the id fixed when editing. A
// problem the server names a field for is shown at that field; any other below the form.
function EntityModal({ api, k, kind, config, item, onClose, onSaved }) {
  const editing = Boolean(item);
  const [values, setValues] = useState(() => {
    if (!item) return {};
    const v = {};
    for (const f of k.fields) if (!f.password) v[f.key] = item[f.key] ?? '';
    return v;
  });
  const [invalid, setInvalid] = useState({});
  const [serverError, setServerError] = useState('');
  const [busy, setBusy] = useState(false);
  const verb = editing ? 'Save' : 'Create';

  function set(key, value) {
    setValues((v) => ({ ...v, [key]: value }));
    setInvalid(({ [key]: _, ...rest }) => rest);
  }

  async function submit() {
    const problems = {};
    for (const f of k.fields) {
      const v = values[f.key] ?? '';
      if (f.id) {
        if (!editing) {
          const problem = checkId(config, kind, v, f.label);
          if (problem) problems[f.key] = problem;
        }
      } else if (f.required && !(editing && f.password) && !v.trim()) {
        problems[f.key] = `Enter the ${f.label.toLowerCase()}.`;
      }
    }
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    const body = {};
    for (const f of k.fields) {
      const v = values[f.key] ?? '';
      if (f.id) {
        if (!editing) body[f.key] = v;
      } else if (f.password) {
        if (v) body[f.key] = v;
      } else if (editing || v.trim() || f.required) {
        // An edit sends every field, so emptying an optional one clears it.
        body[f.key] = v.trim();
      }
    }
    setBusy(true);
    setServerError('');
    try {
      if (editing) await api.put(`${k.path}/${enc(item[k.id])}`, body);
      else await api.post(k.path, body);
      onSaved();
    } catch (e) {
      const field = fieldOfDetail(e.message, k.fields.map((f) => f.key));
      if (field) setInvalid({ [field]: e.message });
      else setServerError(e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      modalHeading={editing ? `Edit ${k.one} ${item[k.id]}` : `Create ${k.one}`}
      primaryButtonText={`${verb} ${k.one}`}
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
          labelText: editing && f.editLabel ? f.editLabel : f.label,
          helperText: editing ? f.editHelp : undefined,
          value: values[f.key] ?? '',
          invalid: Boolean(invalid[f.key]),
          invalidText: invalid[f.key],
          // Carbon names the message in aria-errormessage only, which not every screen reader
          // announces; describedby does.
          'aria-describedby': invalid[f.key] ? `${fieldId(k, f)}-error-msg` : undefined,
          onChange: (e) => set(f.key, e.target.value),
        };
        if (f.id && editing) return <TextInput {...common} readOnly helperText="The ID cannot change." />;
        if (f.password) return <PasswordInput {...common} autoComplete="new-password" />;
        if (f.area) return <TextArea {...common} rows={2} />;
        return <TextInput {...common} autoComplete="off" />;
      })}
      {serverError && (
        <InlineNotification kind="error" title={editing ? 'Not saved' : 'Not created'} subtitle={serverError} hideCloseButton lowContrast />
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

export default function Entities({ api, kind, pageKey, mode, config, route }) {
  const k = KINDS[kind];
  if (route[0] && MEMBERS_OF[kind]) {
    return <Members api={api} k={k} kind={kind} pageKey={pageKey} entityId={route[0]} mode={mode} />;
  }
  return <EntityList api={api} k={k} kind={kind} pageKey={pageKey} config={config} />;
}

function EntityList({ api, k, kind, pageKey, config }) {
  const columns = k.fields.filter((f) => f.column);
  const [query, setQuery] = useState('');
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const access = useWriteAccess(api, k.resourceType);

  // The search box filters on the server, a moment after typing stops.
  useEffect(() => {
    const t = setTimeout(() => setQ(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);
  const filter = useMemo(
    () => (q ? { [k.search.key]: k.search.like ? likeFilter(q) : q } : null),
    [q, k],
  );
  const search = usePagedSearch(api, k.path, filter);
  const items = search.items;
  const error = search.error ? forbiddenText(search.error, k.title.toLowerCase()) : '';
  const writable = (i) => access.update(i[k.id]) || access.del(i[k.id]);
  const anyRowActions = (items ?? []).some(writable);

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
                placeholder={k.search.text}
                labelText={k.search.text}
                onChange={(e) => setQuery(e ? e.target.value : '')}
              />
              {access.create && <Button onClick={() => setCreating(true)}>Create {k.one}</Button>}
            </TableToolbarContent>
          </TableToolbar>
          {!error && (
            <Table aria-label={k.title}>
              <TableHead>
                <TableRow>
                  {columns.map((c) => (
                    <TableHeader key={c.key}>{c.header ?? c.label.replace(' (optional)', '')}</TableHeader>
                  ))}
                  {anyRowActions && (
                    <TableHeader>
                      <span className="cds--visually-hidden">Actions</span>
                    </TableHeader>
                  )}
                </TableRow>
              </TableHead>
              <TableBody>
                {items.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={columns.length + 1}>
                      {q ? 'Nothing matches the search.' : `No ${k.title.toLowerCase()} yet.`}
                    </TableCell>
                  </TableRow>
                )}
                {items.map((i) => (
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
                    {anyRowActions && (
                      <TableCell className="console-row-actions">
                        {access.update(i[k.id]) && (
                          <Button kind="ghost" size="sm" onClick={() => setEditing(i)} aria-label={`Edit ${k.one} ${i[k.id]}`}>
                            Edit
                          </Button>
                        )}
                        {access.del(i[k.id]) && (
                          <Button kind="danger--ghost" size="sm" onClick={() => setDeleting(i)} aria-label={`Delete ${k.one} ${i[k.id]}`}>
                            Delete
                          </Button>
                        )}
                      </TableCell>
                    )}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Pager search={search} label={k.title.toLowerCase()} />
        </TableContainer>
      )}
      {(creating || editing) && (
        <EntityModal
          api={api}
          k={k}
          kind={kind}
          config={config}
          item={editing}
          onClose={() => {
            setCreating(false);
            setEditing(null);
          }}
          onSaved={() => {
            setCreating(false);
            setEditing(null);
            search.reload();
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
            search.reload();
          }}
        />
      )}
    </>
  );
}
