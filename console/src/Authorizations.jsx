import { useCallback, useEffect, useState } from 'react';
import catalog from 'virtual:catalog';
import {
  Button,
  Checkbox,
  DataTableSkeleton,
  FormGroup,
  InlineNotification,
  Modal,
  Select,
  SelectItem,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  Tag,
  TextInput,
} from '@carbon/react';
import { enc } from './api.js';
import { ownerTypeLabel, ownerTypesFor, resourceTypeLabel } from './labels.js';
import { navigate } from './router.js';

// Where a search-select offers the existing ids of an owner type.
const OWNER_SEARCH = {
  GROUP: { path: '/v2/groups/search', id: 'groupId' },
  ROLE: { path: '/v2/roles/search', id: 'roleId' },
  MAPPING_RULE: { path: '/v2/mapping-rules/search', id: 'mappingRuleId' },
};

function resourceTypesFor(mode) {
  return mode === 'BASIC' ? catalog.filter((t) => t.type !== 'MAPPING_RULE') : catalog;
}

function CreateAuthorizationModal({ api, mode, initialType, onClose, onCreated }) {
  const ownerTypes = ownerTypesFor(mode);
  const [ownerType, setOwnerType] = useState(ownerTypes[0].value);
  const [ownerId, setOwnerId] = useState('');
  const [resourceType, setResourceType] = useState(initialType);
  const [resourceId, setResourceId] = useState('');
  const [permissions, setPermissions] = useState([]);
  const [invalid, setInvalid] = useState({});
  const [serverError, setServerError] = useState('');
  const [busy, setBusy] = useState(false);
  const [ownerOptions, setOwnerOptions] = useState([]);

  const supported = catalog.find((t) => t.type === resourceType)?.permissions ?? [];

  useEffect(() => {
    const search = OWNER_SEARCH[ownerType];
    setOwnerOptions([]);
    if (!search) return;
    let live = true;
    api.searchAll(search.path).then(
      (items) => live && setOwnerOptions(items.map((i) => i[search.id])),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, ownerType]);

  function changeResourceType(type) {
    // Another type supports other permissions and names other resources.
    setResourceType(type);
    setPermissions([]);
    setResourceId('');
  }

  function toggle(permission, checked) {
    setInvalid(({ permissions: _, ...rest }) => rest);
    setPermissions((current) =>
      checked ? [...current, permission] : current.filter((p) => p !== permission),
    );
  }

  async function submit() {
    const problems = {};
    if (!ownerId.trim()) problems.ownerId = 'Enter the owner ID.';
    if (!resourceId.trim()) problems.resourceId = 'Enter a resource ID, or * for all.';
    if (permissions.length === 0) problems.permissions = 'Select at least one permission.';
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setServerError('');
    try {
      await api.post('/v2/authorizations', {
        ownerId: ownerId.trim(),
        ownerType,
        resourceId: resourceId.trim(),
        resourceType,
        permissionTypes: supported.filter((p) => permissions.includes(p)),
      });
      onCreated(resourceType);
    } catch (e) {
      setServerError(e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      modalHeading="Create authorization"
      primaryButtonText={busy ? 'Creating…' : 'Create authorization'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={busy}
      onRequestClose={onClose}
      onRequestSubmit={submit}
      size="md"
    >
      <Select
        id="authorization-owner-type"
        className="console-modal-field"
        labelText="Owner type"
        value={ownerType}
        onChange={(e) => {
          setOwnerType(e.target.value);
          setOwnerId('');
        }}
      >
        {ownerTypes.map((o) => (
          <SelectItem key={o.value} value={o.value} text={o.label} />
        ))}
      </Select>
      <TextInput
        id="authorization-owner-id"
        className="console-modal-field"
        labelText="Owner ID"
        list={ownerOptions.length > 0 ? 'authorization-owner-options' : undefined}
        autoComplete="off"
        value={ownerId}
        invalid={Boolean(invalid.ownerId)}
        invalidText={invalid.ownerId}
        onChange={(e) => {
          setOwnerId(e.target.value);
          setInvalid(({ ownerId: _, ...rest }) => rest);
        }}
      />
      <datalist id="authorization-owner-options">
        {ownerOptions.map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
      <Select
        id="authorization-resource-type"
        className="console-modal-field"
        labelText="Resource type"
        value={resourceType}
        onChange={(e) => changeResourceType(e.target.value)}
      >
        {resourceTypesFor(mode).map((t) => (
          <SelectItem key={t.type} value={t.type} text={resourceTypeLabel(t.type)} />
        ))}
      </Select>
      <TextInput
        id="authorization-resource-id"
        className="console-modal-field"
        labelText="Resource ID"
        helperText="* for all resources of this type"
        autoComplete="off"
        value={resourceId}
        invalid={Boolean(invalid.resourceId)}
        invalidText={invalid.resourceId}
        onChange={(e) => {
          setResourceId(e.target.value);
          setInvalid(({ resourceId: _, ...rest }) => rest);
        }}
      />
      <FormGroup legendText="Permissions" invalid={Boolean(invalid.permissions)}>
        <div className="console-permissions">
          {supported.map((p) => (
            <Checkbox
              key={`${resourceType}-${p}`}
              id={`permission-${p}`}
              labelText={p}
              checked={permissions.includes(p)}
              onChange={(_, { checked }) => toggle(p, checked)}
            />
          ))}
        </div>
        {invalid.permissions && (
          <div className="cds--type-helper-text-01 console-requirement" role="alert">
            {invalid.permissions}
          </div>
        )}
      </FormGroup>
      {serverError && (
        <InlineNotification kind="error" title="Not created" subtitle={serverError} hideCloseButton lowContrast />
      )}
    </Modal>
  );
}

function DeleteModal({ api, authorization, onClose, onDeleted }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function confirm() {
    setBusy(true);
    setError('');
    try {
      await api.del(`/v2/authorizations/${enc(authorization.authorizationKey)}`);
      onDeleted();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open
      danger
      modalHeading="Delete authorization"
      primaryButtonText="Delete"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={busy}
      onRequestClose={onClose}
      onRequestSubmit={confirm}
    >
      <p>
        Delete the authorization of {ownerTypeLabel(authorization.ownerType).toLowerCase()}{' '}
        <strong>{authorization.ownerId}</strong> on {resourceTypeLabel(authorization.resourceType).toLowerCase()}{' '}
        <strong>{authorization.resourceId ?? authorization.resourcePropertyName}</strong> (
        {authorization.permissionTypes.join(', ')})? Its owner loses these permissions at once.
      </p>
      {error && <InlineNotification kind="error" title="Not deleted" subtitle={error} hideCloseButton lowContrast />}
    </Modal>
  );
}

export default function Authorizations({ api, mode, route }) {
  const types = resourceTypesFor(mode);
  const selected = types.some((t) => t.type === route[0]) ? route[0] : types[0].type;
  const [items, setItems] = useState(null);
  const [error, setError] = useState('');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState(null);

  const load = useCallback(() => {
    setItems(null);
    setError('');
    api.searchAll('/v2/authorizations/search', { resourceType: selected }).then(setItems, (e) => {
      setItems([]);
      setError(e.status === 403 ? `You may not read authorizations: ${e.message}` : e.message);
    });
  }, [api, selected]);

  useEffect(load, [load]);

  return (
    <>
      <h1 className="cds--type-productive-heading-05 console-page-title">Authorizations</h1>
      <div className="console-authorizations">
        <nav aria-label="Resource types">
          <ul className="console-types">
            {types.map((t) => (
              <li key={t.type}>
                <button
                  type="button"
                  aria-current={t.type === selected ? 'true' : undefined}
                  onClick={() => navigate(['authorizations', t.type])}
                >
                  {resourceTypeLabel(t.type)}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div>
          {error && <InlineNotification kind="error" title="Cannot list authorizations" subtitle={error} hideCloseButton lowContrast />}
          {items === null ? (
            <DataTableSkeleton columnCount={5} rowCount={3} showHeader={false} showToolbar={false} />
          ) : (
            <TableContainer
              title={resourceTypeLabel(selected)}
              description={`Who may do what on resources of type ${selected}`}
            >
              <TableToolbar aria-label="Authorization actions">
                <TableToolbarContent>
                  <Button onClick={() => setCreating(true)}>Create authorization</Button>
                </TableToolbarContent>
              </TableToolbar>
              {!error && (
                <Table aria-label={`${resourceTypeLabel(selected)} authorizations`}>
                  <TableHead>
                    <TableRow>
                      <TableHeader>Owner type</TableHeader>
                      <TableHeader>Owner ID</TableHeader>
                      <TableHeader>Resource ID</TableHeader>
                      <TableHeader>Permissions</TableHeader>
                      <TableHeader>
                        <span className="cds--visually-hidden">Actions</span>
                      </TableHeader>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {items.length === 0 && (
                      <TableRow>
                        <TableCell colSpan={5}>No authorizations for this resource type.</TableCell>
                      </TableRow>
                    )}
                    {items.map((a) => (
                      <TableRow key={a.authorizationKey} data-key={a.authorizationKey}>
                        <TableCell className="console-nowrap">{ownerTypeLabel(a.ownerType)}</TableCell>
                        <TableCell className="console-nowrap">{a.ownerId}</TableCell>
                        <TableCell className="console-nowrap">{a.resourceId ?? a.resourcePropertyName}</TableCell>
                        <TableCell className="console-tag-list">
                          {a.permissionTypes.map((p) => (
                            <Tag key={p} type="gray" size="sm">
                              {p}
                            </Tag>
                          ))}
                        </TableCell>
                        <TableCell>
                          <Button
                            kind="danger--ghost"
                            size="sm"
                            onClick={() => setDeleting(a)}
                            aria-label={`Delete the authorization of ${a.ownerId} on ${a.resourceId ?? a.resourcePropertyName}`}
                          >
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
        </div>
      </div>
      {creating && (
        <CreateAuthorizationModal
          api={api}
          mode={mode}
          initialType={selected}
          onClose={() => setCreating(false)}
          onCreated={(type) => {
            setCreating(false);
            if (type !== selected) navigate(['authorizations', type]);
            else load();
          }}
        />
      )}
      {deleting && (
        <DeleteModal
          api={api}
          authorization={deleting}
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
