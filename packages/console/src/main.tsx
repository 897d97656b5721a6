/** The console's entry: theme, session, router, shell. Pages load lazily (the first page stays small). */
import { FluentProvider, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from './router.tsx';
import { SessionProvider } from './session.tsx';
import { Shell } from './shell/Shell.tsx';
import { type ThemeName, ThemeToggleContext } from './shell/theme.ts';

const THEME_KEY = 'credless-console-theme';

function initialTheme(): ThemeName {
  const stored = window.localStorage.getItem(THEME_KEY);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function Console() {
  const [theme, setTheme] = useState<ThemeName>(initialTheme);
  useEffect(() => {
    window.localStorage.setItem(THEME_KEY, theme);
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  return (
    <FluentProvider theme={theme === 'dark' ? webDarkTheme : webLightTheme} style={{ minHeight: '100vh' }}>
      <ThemeToggleContext.Provider value={{ theme, setTheme }}>
        <SessionProvider>
          <Router>
            <Shell />
          </Router>
        </SessionProvider>
      </ThemeToggleContext.Provider>
    </FluentProvider>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <Console />
  </StrictMode>,
);
