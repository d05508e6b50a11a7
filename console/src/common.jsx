// What every page shares: the server's id rule, a server problem placed next to the field it
// names, one page of a /v2 search at a time, and which writes the signed-in caller may make.
import { useCallback, useEffect, useState } from 'react';
import { Pagination } from '@carbon/react';

// The planner's rules (docs/semantics.md): ids are 1-256 bytes matching the configured pattern
// (console-config.json's idPattern, an RE2 expression that JavaScript reads the same way for the
// bracket classes it is made of); tenant ids are 1-31 of [A-Za-z0-9_.-] or <default>; group ids
// are any non-empty string of at most 256 bytes when a groups claim is configured.
const DEFAULT_ID_PATTERN = '^[a-zA-Z0-9_~@.+-]+$';
const TENANT_ID = /^[A-Za-z0-9_.-]{1,31}$/;

function compile(pattern) {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    // A pattern JavaScript cannot read is left to the server, which names what is wrong.
    return null;
  }
}

export function idRule(config, kind) {
  if (kind === 'tenant') {
    return {
      check: (v) => v === '<default>' || TENANT_ID.test(v),
      text: 'Use 1 to 31 letters, digits and _ . - only.',
    };
  }
  if (kind === 'group' && config?.groupsClaim) {
    return { check: () => true, text: '' };
  }
  const pattern = config?.idPattern || DEFAULT_ID_PATTERN;
  const regex = compile(pattern);
  return {
    check: (v) => !regex || regex.test(v),
    text: `Use 1 to 256 characters matching ${pattern}.`,
  };
}

// The message for an id that breaks the rule, or '' when it passes.
export function checkId(config, kind, value, label) {
  if (!value) return `Enter the ${label}.`;
  const rule = idRule(config, kind);
  if (new TextEncoder().encode(value).length > (kind === 'tenant' ? 31 : 256) || !rule.check(value)) {
    return rule.text;
  }
  return '';
}

// The server's problem details start with the field they name ("name: is blank; ...",
// "No claimName provided", "permissionTypes[0]: ..."): the key among `keys` a detail names, or ''.
export function fieldOfDetail(detail, keys) {
  const m = /^(?:No )?([A-Za-z]+)(?:\[\d+\])?(?::|\s)/.exec(detail || '');
  return m && keys.includes(m[1]) ? m[1] : '';
}

// A $like filter for text typed into a search box: '*' and '?' are wildcards there, so the
// person's own are escaped.
export function likeFilter(text) {
  return { $like: `*${text.replace(/[\\*?]/g, (c) => `\\${c}`)}*` };
}

export const PAGE_SIZES = [10, 20, 50, 100];

// One page of a /v2 search (page.from / page.limit): only that page is loaded; `total` is the
// server's totalItems. A changed filter goes back to the first page.
export function usePagedSearch(api, path, filter, initialSize = 20) {
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(initialSize);
  const [result, setResult] = useState({ items: null, total: 0, error: null });
  const [tick, setTick] = useState(0);
  const filterKey = JSON.stringify(filter ?? null);

  useEffect(() => setPage(1), [filterKey, path]);

  useEffect(() => {
    let live = true;
    const body = { page: { from: (page - 1) * pageSize, limit: pageSize } };
    if (filter) body.filter = filter;
    api.post(`${path}/search`, body).then(
      (res) => {
        if (!live) return;
        // A delete can empty the last page: step back to the one that now holds items.
        if (res.items.length === 0 && page > 1 && res.page.totalItems > 0) {
          setPage(Math.ceil(res.page.totalItems / pageSize));
          return;
        }
        setResult({ items: res.items, total: res.page.totalItems, error: null });
      },
      (e) => live && setResult({ items: [], total: 0, error: e }),
    );
    return () => {
      live = false;
    };
    // filterKey stands for filter's contents: a new object with the same filter is no change.
  }, [api, path, filterKey, page, pageSize, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...result, page, pageSize, setPage, setPageSize, reload };
}

export function Pager({ search, label }) {
  if (search.items === null || search.error) return null;
  return (
    <Pagination
      className="console-pager"
      page={search.page}
      pageSize={search.pageSize}
      pageSizes={PAGE_SIZES}
      totalItems={search.total}
      itemsPerPageText="Items per page:"
      backwardText={`Previous page of ${label}`}
      forwardText={`Next page of ${label}`}
      onChange={({ page, pageSize }) => {
        if (pageSize !== search.pageSize) {
          search.setPageSize(pageSize);
          search.setPage(1);
        } else {
          search.setPage(page);
        }
      }}
    />
  );
}

// Which writes on `resourceType` the signed-in caller may make, from the decision API
// (authorized-resources for the caller: `all` when a '*' grant passes, else the ids). Creating
// needs a '*' grant (the server checks CREATE without an id); updating and deleting need a grant
// on '*' or on the id. Until the answer arrives nothing is offered.
export function useWriteAccess(api, resourceType) {
  const [grants, setGrants] = useState(null);
  useEffect(() => {
    let live = true;
    setGrants(null);
    const ask = (permission) =>
      api.post('/clearance/v1/authorized-resources', { resourceType, permission }).then(
        (r) => ({ all: Boolean(r.all), ids: new Set(r.ids ?? []) }),
        () => ({ all: false, ids: new Set() }),
      );
    Promise.all([ask('CREATE'), ask('UPDATE'), ask('DELETE')]).then(
      ([create, update, del]) => live && setGrants({ create, update, del }),
    );
    return () => {
      live = false;
    };
  }, [api, resourceType]);
  const may = (g, id) => Boolean(g && (g.all || g.ids.has(id)));
  return {
    known: grants !== null,
    create: Boolean(grants?.create.all),
    update: (id) => may(grants?.update, id),
    del: (id) => may(grants?.del, id),
  };
}

export function forbiddenText(e, what) {
  return e.status === 403 ? `You may not read ${what}: ${e.message}` : e.message;
}
