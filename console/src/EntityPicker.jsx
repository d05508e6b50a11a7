import { useEffect, useState } from 'react';
import { ComboBox } from '@carbon/react';
import { likeFilter } from './common.jsx';

// The entity kinds a search-select can offer, by owner type, with the /v2 search that lists them.
// The searches' filters differ in which fields take $like (GroupFilter's groupId, UserFilter's
// username and name, RoleFilter's and MappingRuleFilter's name), so a typed text is looked up by
// the fields that take it, and as an exact id where the id does not.
const SEARCHES = {
  GROUP: { path: '/v2/groups/search', id: 'groupId', by: 'ID', filters: (t) => [{ groupId: likeFilter(t) }] },
  ROLE: { path: '/v2/roles/search', id: 'roleId', by: 'name or exact ID', filters: (t) => [{ name: likeFilter(t) }, { roleId: t }] },
  MAPPING_RULE: {
    path: '/v2/mapping-rules/search',
    id: 'mappingRuleId',
    by: 'name or exact ID',
    filters: (t) => [{ name: likeFilter(t) }, { mappingRuleId: t }],
  },
  USER: {
    path: '/v2/users/search',
    id: 'username',
    by: 'username or name',
    filters: (t) => [{ username: likeFilter(t) }, { name: likeFilter(t) }],
  },
};
const OPTIONS = 20;

// Whether the server can list entities of `kind` for a search-select (users only in BASIC mode:
// in OIDC mode they live in the identity provider).
export function pickable(kind, mode) {
  return Boolean(SEARCHES[kind]) && (kind !== 'USER' || mode === 'BASIC');
}

// What the search-select's placeholder says it searches by.
export function pickerSearchesBy(kind) {
  return SEARCHES[kind]?.by ?? 'ID';
}

// Existing entities of a kind matching `text` (the first OPTIONS of each search).
async function searchEntities(api, search, text) {
  const bodies = text ? search.filters(text).map((filter) => ({ filter })) : [{}];
  const pages = await Promise.all(
    bodies.map((b) => api.post(search.path, { ...b, page: { from: 0, limit: OPTIONS } }).catch(() => ({ items: [] }))),
  );
  const seen = new Map();
  for (const p of pages) for (const i of p.items) seen.set(i[search.id], { id: i[search.id], name: i.name });
  return [...seen.values()];
}

function entityLabel(o) {
  return o ? (o.name && o.name !== o.id ? `${o.id} (${o.name})` : o.id) : '';
}

// A Carbon ComboBox offering the existing entities of `kind` as the person types; `onChange`
// gets the chosen id, or '' when the choice is cleared. Give it a new `key` to start over.
export default function EntityPicker({ api, kind, initialId, onChange, ...comboProps }) {
  const search = SEARCHES[kind];
  const [text, setText] = useState('');
  const [options, setOptions] = useState([]);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      searchEntities(api, search, text.trim()).then((items) => live && setOptions(items));
    }, text ? 200 : 0);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, search, text]);

  return (
    <ComboBox
      {...comboProps}
      items={options}
      initialSelectedItem={initialId ? { id: initialId } : undefined}
      itemToString={entityLabel}
      shouldFilterItem={() => true}
      onInputChange={(typed) => setText(typed ?? '')}
      onChange={({ selectedItem }) => onChange(selectedItem ? selectedItem.id : '')}
    />
  );
}
