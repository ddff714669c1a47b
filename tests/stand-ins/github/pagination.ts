// GitHub's page-number pagination: `per_page` (default 30, at most 100; larger values are
// clamped, as GitHub does) and `page` (1-based), and the Link header with absolute URLs on the
// stand-in's own base. Links keep every query parameter the client sent and replace `page`, so a
// client that follows them (as GitHub's docs tell it to) gets the same filtered list.

export interface GhPaging {
  perPage: number;
  page: number;
  offset: number;
  /** Whether the client sent per_page or page (compare paginates only then). */
  explicit: boolean;
}

export function readPaging(query: URLSearchParams, defaultPerPage = 30): GhPaging {
  const rawPer = query.get('per_page');
  const rawPage = query.get('page');
  let perPage = rawPer === null ? defaultPerPage : Number.parseInt(rawPer, 10);
  if (!Number.isFinite(perPage) || perPage < 1) perPage = defaultPerPage;
  if (perPage > 100) perPage = 100;
  let page = rawPage === null ? 1 : Number.parseInt(rawPage, 10);
  if (!Number.isFinite(page) || page < 1) page = 1;
  return { perPage, page, offset: (page - 1) * perPage, explicit: rawPer !== null || rawPage !== null };
}

/**
 * The Link header for page `page` of `total` items, or undefined when everything fits on one page
 * (GitHub omits the header then). `path` is the path links point at (for issues GitHub uses the
 * `/repositories/{id}/…` shape; the stand-in serves both).
 */
export function linkHeader(
  base: string,
  path: string,
  query: URLSearchParams,
  paging: GhPaging,
  total: number,
): string | undefined {
  const lastPage = Math.max(1, Math.ceil(total / paging.perPage));
  if (lastPage <= 1 && paging.page <= 1) return undefined;
  const url = (page: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(page));
    return `<${base}${path}?${q.toString()}>`;
  };
  const parts: string[] = [];
  if (paging.page > 1) parts.push(`${url(Math.min(paging.page - 1, lastPage))}; rel="prev"`);
  if (paging.page < lastPage) parts.push(`${url(paging.page + 1)}; rel="next"`, `${url(lastPage)}; rel="last"`);
  if (paging.page > 1) parts.push(`${url(1)}; rel="first"`);
  return parts.length ? parts.join(', ') : undefined;
}
