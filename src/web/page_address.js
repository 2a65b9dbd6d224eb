// wscam viewer, the page's address: its query parameters, the view token it was opened with (which
// every request of the page carries on), and the /view/NAME form of a camera's own address.

/** The page's query parameters: ?stream=, ?codec=, ?token=. One object, shared: CodecSelect removes ?codec= from it. */
export const params = new URLSearchParams(location.search);
const token = params.get('token') || '';

/** `url` with the page's ?token= added, if it was opened with one. */
export const withToken = (url) => (token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url);

/** The address of one camera's page (the server serves the page there too). */
export const viewPath = (stream) => `/view/${encodeURIComponent(stream)}`;

/** The camera a /view/NAME path names, or null. */
export const streamInPath = (pathname) => pathname.match(/^\/view\/([A-Za-z0-9_-]{1,64})$/)?.[1] ?? null;
