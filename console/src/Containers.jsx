import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  InlineNotification,
  Modal,
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

// Groups and roles share their shape on the wire: {<kind>Id, name, description}.
const KINDS = {
  group: { title: 'Groups', one: 'group', path: '/v2/groups', id: 'groupId', idLabel: 'Group ID' },
  role: { title: 'Roles', one: 'role', path: '/v2/roles', id: 'roleId', idLabel: 'Role ID' },
};

// The id syntax the server accepts for groups and roles.
const ID_PATTERN = /^[A-Za-z0-9_@.+-]+$/;

function CreateModal({ api, k, onClose, onCreated }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [invalid, setInvalid] = useState({});
  const [serverError, setServerError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit() {
    const problems = {};
    if (!id) problems.id = `Enter the ${k.one} ID.`;
    else if (id.length > 256 || !ID_PATTERN.test(id)) {
      problems.id = 'Use 1 to 256 letters, digits and _ @ . + - only.';
    }
    if (!name.trim()) problems.name = 'Enter a name.';
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setServerError('');
    try {
      await api.post(k.path, { [k.id]: id, name: name.trim(), description });
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
      <TextInput
        id={`${k.one}-id`}
        className="console-modal-field"
        labelText={k.idLabel}
        value={id}
        invalid={Boolean(invalid.id)}
        invalidText={invalid.id}
        onChange={(e) => {
          setId(e.target.value);
          setInvalid(({ id: _, ...rest }) => rest);
        }}
      />
      <TextInput
        id={`${k.one}-name`}
        className="console-modal-field"
        labelText="Name"
        value={name}
        invalid={Boolean(invalid.name)}
        invalidText={invalid.name}
        onChange={(e) => {
          setName(e.target.value);
          setInvalid(({ name: _, ...rest }) => rest);
        }}
      />
      <TextArea
        id={`${k.one}-description`}
        className="console-modal-field"
        labelText="Description (optional)"
        rows={2}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
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
        Delete the {k.one} <strong>{item.name}</strong> ({item[k.id]})? Its members lose what it
        grants them.
      </p>
      {error && <InlineNotification kind="error" title="Not deleted" subtitle={error} hideCloseButton lowContrast />}
    </Modal>
  );
}

export default function Containers({ api, kind }) {
  const k = KINDS[kind];
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
    (i) => !q || i[k.id].toLowerCase().includes(q) || (i.name ?? '').toLowerCase().includes(q),
  );

  return (
    <>
      <h1 className="cds--type-productive-heading-05 console-page-title">{k.title}</h1>
      {error && <InlineNotification kind="error" title={`Cannot list ${k.title.toLowerCase()}`} subtitle={error} hideCloseButton lowContrast />}
      {items === null ? (
        <DataTableSkeleton columnCount={4} rowCount={3} showHeader={false} showToolbar={false} />
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
                  <TableHeader>{k.idLabel}</TableHeader>
                  <TableHeader>Name</TableHeader>
                  <TableHeader>Description</TableHeader>
                  <TableHeader>
                    <span className="cds--visually-hidden">Actions</span>
                  </TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {shown.length === 0 && (
                  <TableRow>
                    <TableCell colSpan={4}>{q ? 'Nothing matches the search.' : `No ${k.title.toLowerCase()} yet.`}</TableCell>
                  </TableRow>
                )}
                {shown.map((i) => (
                  <TableRow key={i[k.id]}>
                    <TableCell>{i[k.id]}</TableCell>
                    <TableCell>{i.name}</TableCell>
                    <TableCell>{i.description}</TableCell>
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
