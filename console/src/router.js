// The console's own routes under /identity/, kept in the address bar so a page can be reloaded
// or linked (the server answers index.html for every such path).
import { useEffect, useState } from 'react';

export const BASE = '/identity/';

export function currentRoute() {
  const path = window.location.pathname;
  const rest = path.startsWith(BASE) ? path.slice(BASE.length) : '';
  return rest.split('/').filter(Boolean).map(decodeURIComponent);
}

export function navigate(segments) {
  const path = BASE + segments.map(encodeURIComponent).join('/');
  if (path !== window.location.pathname) window.history.pushState(null, '', path);
  window.dispatchEvent(new Event('console-navigate'));
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    window.addEventListener('console-navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('console-navigate', update);
    };
  }, []);
  return route;
}
