/**
 * The frontend's page, rendered on the server as the seed's Blazor page was: the server asks the
 * backend at BACKEND_URL and fills public/index.html. The browser only talks to the frontend, so
 * backend and frontend may live on different hosts or ports without CORS.
 * @module
 */
import { readFile } from 'node:fs/promises';

const TEMPLATE = new URL('../public/index.html', import.meta.url);

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}

export type Lookup =
  | { ok: true; organizationName: string }
  | { ok: false; status: number | undefined; code: string; message: string };

/** Asks the backend; never throws (an unreachable backend is shown on the page). */
export async function lookUpOrganization(backendUrl: string, timeoutMs = 15_000): Promise<Lookup> {
  try {
    const response = await fetch(`${backendUrl.replace(/\/+$/, '')}/api/organization`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => undefined)) as
      | { organizationName?: unknown; error?: { code?: unknown; message?: unknown } }
      | undefined;
    if (response.ok && typeof body?.organizationName === 'string') {
      return { ok: true, organizationName: body.organizationName };
    }
    return {
      ok: false,
      status: response.status,
      code: typeof body?.error?.code === 'string' ? body.error.code : 'UnexpectedResponse',
      message: typeof body?.error?.message === 'string' ? body.error.message : '',
    };
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return { ok: false, status: undefined, code: 'BackendUnreachable', message: reason };
  }
}

export async function renderPage(backendUrl: string, lookup: Lookup): Promise<string> {
  const result = lookup.ok
    ? `<p id="result">It looks like your tenant organization name is ${escapeHtml(lookup.organizationName)}.<br />
      And if the above line doesn't look right; well then there's a bug in the setup somewhere.</p>`
    : `<p id="result" class="error">The backend could not read the organization name${
        lookup.status ? ` (HTTP ${lookup.status})` : ''
      }: <code>${escapeHtml(lookup.code)}</code> ${escapeHtml(lookup.message)}</p>`;
  const template = await readFile(TEMPLATE, 'utf8');
  return template.replace('{{RESULT}}', result).replace('{{BACKEND_URL}}', escapeHtml(backendUrl));
}
