import { useMemo, useState } from 'react';
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
import { checkId, fieldOfDetail, forbiddenText, Pager, usePagedSearch, useWriteAccess } from './common.jsx';
import EntityPicker, { pickable, pickerSearchesBy } from './EntityPicker.jsx';
import { ownerTypeLabel, ownerTypesFor, resourceTypeLabel } from './labels.js';
import { navigate } from './router.js';

function resourceTypesFor(mode) {
  return mode === 'BASIC' ? catalog.filter((t) => t.type !== 'MAPPING_RULE') : catalog;
}

// Create an authorization, or edit `existing` (PUT /v2/authorizations/{key} replaces it whole).
function CreateAuthorizationModal({ api, mode, config, initialType, existing, onClose, onCreated }) {
  const ownerTypes = ownerTypesFor(mode);
  const [ownerType, setOwnerType] = useState(existing?.ownerType ?? ownerTypes[0].value);
  const [ownerId, setOwnerId] = useState(existing?.ownerId ?? '');
  const [resourceType, setResourceType] = useState(existing?.resourceType ?? initialType);
  const [resourceId, setResourceId] = useState(existing?.resourceId ?? '');
  const [permissions, setPermissions] = useState(existing?.permissionTypes ?? []);
  const title = existing ? 'Save authorization' : 'Create authorization';
  const [invalid, setInvalid] = useState({});
  const [serverError, setServerError] = useState('');
  const [busy, setBusy] = useState(false);

  const supported = catalog.find((t) => t.type === resourceType)?.permissions ?? [];

  // A user's authorization may name a user who does not exist yet, so its Owner ID stays free
  // text; groups, roles and mapping rules are chosen from the existing ones.
  const ownerPicked = ownerType !== 'USER' && pickable(ownerType, mode);

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
    else if (ownerType !== 'GROUP' || !config?.groupsClaim) {
      const problem = checkId(config, 'owner', ownerId.trim(), 'owner ID');
      if (problem) problems.ownerId = problem;
    }
    if (!resourceId.trim()) problems.resourceId = 'Enter a resource ID, or * for all.';
    else if (resourceId.trim() !== '*') {
      const problem = checkId(config, 'resource', resourceId.trim(), 'resource ID');
      if (problem) problems.resourceId = `${problem.replace(/\.$/, '')}, or * for all.`;
    }
    if (permissions.length === 0) problems.permissions = 'Select at least one permission.';
    setInvalid(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setServerError('');
    try {
      const body = {
        ownerId: ownerId.trim(),
        ownerType,
        resourceId: resourceId.trim(),
        resourceType,
        permissionTypes: supported.filter((p) => permissions.includes(p)),
      };
      if (existing) await api.put(`/v2/authorizations/${enc(existing.authorizationKey)}`, body);
      else await api.post('/v2/authorizations', body);
      onCreated(resourceType);
    } catch (e) {
      const field = fieldOfDetail(e.message, ['ownerId', 'resourceId', 'permissionTypes']);
      if (field) setInvalid({ [field === 'permissionTypes' ? 'permissions' : field]: e.message });
      else setServerError(e.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      modalHeading={existing ? 'Edit authorization' : 'Create authorization'}
      primaryButtonText={busy ? 'Saving…' : title}
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
      {ownerPicked ? (
        <EntityPicker
          key={ownerType}
          api={api}
          kind={ownerType}
          id="authorization-owner-id"
          className="console-modal-field"
          titleText="Owner ID"
          placeholder={`Search ${ownerTypeLabel(ownerType).toLowerCase()}s by ${pickerSearchesBy(ownerType)}`}
          helperText={`An existing ${ownerTypeLabel(ownerType).toLowerCase()}`}
          initialId={existing?.ownerType === ownerType ? existing.ownerId : undefined}
          invalid={Boolean(invalid.ownerId)}
          invalidText={invalid.ownerId}
          onChange={(id) => {
            setOwnerId(id);
            setInvalid(({ ownerId: _, ...rest }) => rest);
          }}
        />
      ) : (
        <TextInput
          id="authorization-owner-id"
          className="console-modal-field"
          labelText="Owner ID"
          helperText={ownerType === 'CLIENT' ? "The client ID your identity provider puts in the client's tokens" : undefined}
          autoComplete="off"
          value={ownerId}
          invalid={Boolean(invalid.ownerId)}
          invalidText={invalid.ownerId}
          onChange={(e) => {
            setOwnerId(e.target.value);
            setInvalid(({ ownerId: _, ...rest }) => rest);
          }}
        />
      )}
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
        <InlineNotification kind="error" title={existing ? 'Not saved' : 'Not created'} subtitle={serverError} hideCloseButton lowContrast />
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

export default function Authorizations({ api, mode, config, route }) {
  const types = resourceTypesFor(mode);
  const selected = types.some((t) => t.type === route[0]) ? route[0] : types[0].type;
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const filter = useMemo(() => ({ resourceType: selected }), [selected]);
  const search = usePagedSearch(api, '/v2/authorizations', filter);
  const items = search.items;
  const error = search.error ? forbiddenText(search.error, 'authorizations') : '';
  const access = useWriteAccess(api, 'AUTHORIZATION');
  const load = search.reload;
  // Property-based authorizations (USER_TASK's resourcePropertyName) are not edited here.
  const mayEdit = (a) => a.resourceId !== undefined && a.resourceId !== null && access.update(a.authorizationKey);
  const anyRowActions = (items ?? []).some((a) => mayEdit(a) || access.del(a.authorizationKey));

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
                  {access.create && <Button onClick={() => setCreating(true)}>Create authorization</Button>}
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
                        {anyRowActions && (
                        <TableCell className="console-row-actions">
                          {mayEdit(a) && (
                            <Button
                              kind="ghost"
                              size="sm"
                              onClick={() => setEditing(a)}
                              aria-label={`Edit the authorization of ${a.ownerId} on ${a.resourceId}`}
                            >
                              Edit
                            </Button>
                          )}
                          {access.del(a.authorizationKey) && (
                          <Button
                            kind="danger--ghost"
                            size="sm"
                            onClick={() => setDeleting(a)}
                            aria-label={`Delete the authorization of ${a.ownerId} on ${a.resourceId ?? a.resourcePropertyName}`}
                          >
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
              <Pager search={search} label="authorizations" />
            </TableContainer>
          )}
        </div>
      </div>
      {(creating || editing) && (
        <CreateAuthorizationModal
          api={api}
          mode={mode}
          config={config}
          initialType={selected}
          existing={editing}
          onClose={() => {
            setCreating(false);
            setEditing(null);
          }}
          onCreated={(type) => {
            setCreating(false);
            setEditing(null);
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
