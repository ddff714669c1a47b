// Talking to the running `vigil serve` that holds the database, for commands (backup, sync) that
// cannot open the file themselves while it runs. Uses VIGIL_AUTH_TOKEN when auth is on.
import { UserFacingError } from '../lib/errors.ts';

export async function callServer(baseUrl: string, path: string, init: { method: string; body?: unknown }): Promise<Response> {
  const headers: Record<string, string> = { 'x-vigil-actor': encodeURIComponent(`cli:${process.env.USER ?? 'unknown'}`) };
  const token = process.env.VIGIL_AUTH_TOKEN?.trim();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method: init.method,
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    throw new UserFacingError(
      `The database is held by the server at ${baseUrl}, but it does not answer (${(error as Error).message}).`,
    );
  }
  if (response.status === 401) {
    throw new UserFacingError(`The server at ${baseUrl} requires authentication: set VIGIL_AUTH_TOKEN to its token.`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new UserFacingError(
      `The server at ${baseUrl} answered ${response.status}: ${body.error?.message ?? response.statusText}`,
    );
  }
  return response;
}
