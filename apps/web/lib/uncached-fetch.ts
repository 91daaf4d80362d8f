/**
 * The fetch the web app's clients of the API (`api` in the browser, `serverApi` on the server) send
 * through: never answered from a cache, since the API keeps its own cache current and a page shows
 * what the API says now; given up after `timeoutMs` when one is set (the server must not hang a page).
 */
export function uncachedFetch(timeoutMs?: number): (request: Request) => Promise<Response> {
  return (request) => fetch(request, { cache: 'no-store', ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }) });
}
