/**
 * The operator's session: the sign-in link's `#code` fragment exchanged for a session cookie (then
 * removed from the address bar and history), or the session the cookie already holds. Any 401 from the
 * APIs ends it in the UI and shows the sign-in page.
 * @module
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken, setUnauthorizedHandler, signedOutReason } from './api/client.ts';
import type { Session } from './api/types.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; session: Session }
  /** `ended`: a session was there and is gone; `refused`: the link's code was refused; `none`: no session yet. */
  | { status: 'signed-out'; reason: 'none' | 'ended' | 'refused'; message?: string };

interface SessionContextValue {
  state: SessionState;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);
export const SESSION_PATH = '/console/api/session';

/** The code of a `#code=…` fragment, if the page was opened from a sign-in link. */
function codeFromFragment(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  return fragment.get('code') ?? undefined;
}

async function startSession(): Promise<SessionState> {
  const code = codeFromFragment();
  if (code !== undefined) {
    // The code is single-use: drop it from the address bar (and history) before anything else.
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    try {
      const session = await api<Session>(SESSION_PATH, {
        method: 'POST',
        body: { code },
        ownUnauthorized: true,
      });
      return { status: 'signed-in', session };
    } catch (error) {
      if (error instanceof ApiError && error.status === 401)
        return { status: 'signed-out', reason: 'refused', message: error.message };
      throw error;
    }
  }
  try {
    return { status: 'signed-in', session: await api<Session>(SESSION_PATH, { ownUnauthorized: true }) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      return { status: 'signed-out', reason: signedOutReason(error) };
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let live = true;
    startSession()
      .catch((error: unknown) => ({
        status: 'signed-out' as const,
        reason: 'none' as const,
        message: error instanceof Error ? error.message : String(error),
      }))
      .then((next) => {
        if (live) setState(next);
      });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    setCsrfToken(state.status === 'signed-in' ? state.session.csrfToken : undefined);
    setUnauthorizedHandler(() => setState({ status: 'signed-out', reason: 'ended' }));
    return () => setUnauthorizedHandler(undefined);
  }, [state]);

  const signOut = useCallback(async () => {
    await api(SESSION_PATH, { method: 'DELETE', ownUnauthorized: true }).catch(() => undefined);
    setState({ status: 'signed-out', reason: 'ended' });
  }, []);

  return <SessionContext.Provider value={{ state, signOut }}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionState outside <SessionProvider>');
  return value;
}

/** The signed-in session (the shell renders pages only when there is one). */
export function useSession(): Session {
  const { state } = useSessionState();
  if (state.status !== 'signed-in') throw new Error('useSession without a session');
  return state.session;
}
